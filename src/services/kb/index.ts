// The knowledge base: articles, their search, and what people do with them.
export { canSee, visibleArticles, type KbAudience } from './access.js';
export * from './articles.js';
export { addAttachment, attachmentFor, extractAttachmentText, maxAttachmentBytes, removeAttachment } from './attachments.js';
export * from './engagement.js';
export { importKb, kbCsvColumns, maxKbImportBytes, maxKbImportEntries, parseKbImport, type KbImportFile, type KbImportResult } from './import.js';
export { renderMarkdown } from './markdown.js';
export { maxSuggestions, minSuggestScore, queryTerms, searchArticles, suggestArticles, type SearchHit } from './search.js';
export { houseSynonyms, replaceHouseSynonyms } from './synonyms.js';
export { customerAudience, portalArticle, portalArticleList, portalCategories } from './portal.js';
