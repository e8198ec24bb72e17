import { sql } from 'drizzle-orm';
import { bigserial, boolean, customType, date, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { kbStates, kbVisibilities, languages } from '../../domain/enums.js';
import { contacts } from './customers.js';
import { bytea } from './mail.js';
import { users } from './users.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** Knowledge-base articles, one row per language; translations share a translation group. Searched through kb_search. */
export const kbArticles = pgTable(
  'kb_articles',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Translations of one article share this id (the first article's id). */
    translationGroup: uuid().notNull(),
    /** The key an import names the article by, so importing the same file again updates it. */
    externalKey: text().unique(),
    language: text({ enum: languages }).notNull(),
    title: text().notNull(),
    /** Markdown as written. */
    body: text().notNull(),
    /** The Markdown rendered and sanitized: what pages show. */
    bodyHtml: text().notNull(),
    /** The rendered body as plain text: what is searched and quoted in snippets. */
    bodyText: text().notNull(),
    /** The text of the attachments that have any (text files, PDF), joined. */
    attachmentText: text().notNull().default(''),
    category: text(),
    tags: text().array().notNull().default([]),
    visibility: text({ enum: kbVisibilities }).notNull(),
    /** For visibility `restricted`: the customers whose contacts see it. */
    customerNumbers: text().array().notNull().default([]),
    state: text({ enum: kbStates }).notNull(),
    ownerId: uuid().references(() => users.id, { onDelete: 'set null' }),
    reviewBy: date({ mode: 'string' }),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index('kb_articles_state_language_idx').on(t.state, t.language),
    index('kb_articles_category_idx').on(t.category),
    index('kb_articles_tags_idx').using('gin', t.tags),
    unique('kb_articles_translation_language_key').on(t.translationGroup, t.language),
  ],
);

/**
 * What the search reads of each article, kept by a trigger on kb_articles in the same
 * transaction (migration 0020: kb_search_sync, with kb_german, kb_english, kb_config and
 * kb_words), in a narrow table of its own so a search reads no bodies: `search` weights the title
 * (A) above tags and category (B) above the body and the attachments' text (C), each stemmed in
 * the article's language after unaccent; `trgm_text` (title, tags, category, folded) carries the
 * trigram index for typos and compounds. Written by the trigger only.
 */
export const kbSearch = pgTable(
  'kb_search',
  {
    articleId: uuid()
      .primaryKey()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    translationGroup: uuid().notNull(),
    language: text({ enum: languages }).notNull(),
    state: text({ enum: kbStates }).notNull(),
    visibility: text({ enum: kbVisibilities }).notNull(),
    customerNumbers: text().array().notNull(),
    search: tsvector().notNull(),
    trgmText: text().notNull(),
  },
  (t) => [index('kb_search_search_idx').using('gin', t.search), index('kb_search_trgm_idx').using('gin', sql`${t.trgmText} gin_trgm_ops`)],
);

/** Every saved state of an article: who changed which fields, when, and the article as it then was. */
export const kbArticleVersions = pgTable(
  'kb_article_versions',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    articleId: uuid()
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    version: integer().notNull(),
    changedById: uuid().references(() => users.id, { onDelete: 'set null' }),
    /** The author's name as it was (users can be renamed or removed). */
    changedByName: text().notNull(),
    changedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** The fields this version changed ("created" for the first). */
    changes: text().array().notNull(),
    snapshot: jsonb().notNull(),
  },
  (t) => [unique('kb_article_versions_key').on(t.articleId, t.version)],
);

/** Files attached to an article; `text` is what could be read from them (text files, PDF). */
export const kbAttachments = pgTable(
  'kb_attachments',
  {
    id: uuid().primaryKey().defaultRandom(),
    articleId: uuid()
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    filename: text().notNull(),
    contentType: text().notNull(),
    sizeBytes: integer().notNull(),
    content: bytea().notNull(),
    text: text().notNull().default(''),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('kb_attachments_article_idx').on(t.articleId)],
);

/** "Was this helpful?": one vote per portal contact or staff user and article (a second vote replaces the first). */
export const kbVotes = pgTable(
  'kb_votes',
  {
    id: uuid().primaryKey().defaultRandom(),
    articleId: uuid()
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    helpful: boolean().notNull(),
    comment: text(),
    contactId: uuid().references(() => contacts.id, { onDelete: 'cascade' }),
    userId: uuid().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('kb_votes_contact_key').on(t.articleId, t.contactId), uniqueIndex('kb_votes_user_key').on(t.articleId, t.userId), index('kb_votes_article_idx').on(t.articleId, t.helpful)],
);

/** Articles linked to incidents (the article that solved it, or that the agent sent). */
export const kbIncidentLinks = pgTable(
  'kb_incident_links',
  {
    incidentNumber: text().notNull(),
    articleId: uuid()
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    linkedById: uuid().references(() => users.id, { onDelete: 'set null' }),
    linkedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.incidentNumber, t.articleId] }), index('kb_incident_links_article_idx').on(t.articleId)],
);

/**
 * A suggestion a contact opened from the portal's New request form, by the form's submission id.
 * Sending that form marks it submitted; one still unsubmitted after the deflection window is a
 * request the article saved (a deflection).
 */
export const kbSuggestionOpens = pgTable(
  'kb_suggestion_opens',
  {
    id: uuid().primaryKey().defaultRandom(),
    articleId: uuid()
      .notNull()
      .references(() => kbArticles.id, { onDelete: 'cascade' }),
    contactId: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    submission: text().notNull(),
    openedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** The request the form became, when it was sent after all. */
    submittedIncident: text(),
  },
  (t) => [unique('kb_suggestion_opens_key').on(t.submission, t.articleId), index('kb_suggestion_opens_article_idx').on(t.articleId)],
);

/** The synonym dictionary: each row a group of words a searcher means alike (lower-case, unaccented). */
export const kbSynonyms = pgTable(
  'kb_synonyms',
  {
    id: serial().primaryKey(),
    terms: text().array().notNull(),
  },
  (t) => [index('kb_synonyms_terms_idx').using('gin', t.terms)],
);

/**
 * Every word the articles use (folded), for the search's spelling correction ("druker": "drucker",
 * by trigram distance) and for splitting compounds into words the articles use. Words are only
 * added; one no article uses any more costs a row and corrects nothing wrongly.
 */
export const kbVocabulary = pgTable('kb_vocabulary', { word: text().primaryKey() }, (t) => [index('kb_vocabulary_trgm_idx').using('gist', sql`${t.word} gist_trgm_ops`)]);
