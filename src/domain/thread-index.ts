// Outlook's Thread-Index header: base64 of a 22-byte header block (a FILETIME and a GUID) that
// names the conversation, followed by one 5-byte block per reply. Every mail of a conversation
// starts with the same 22 bytes, also when a client drops In-Reply-To and References.

/** Bytes that name an Outlook conversation: the first block of Thread-Index. */
export const conversationBytes = 22;

/**
 * The Outlook conversation a Thread-Index names, as 44 hex digits; null when the header is
 * missing or malformed (not base64, shorter than 22 bytes), so it threads nothing.
 */
export function outlookConversation(threadIndex: string | string[] | undefined): string | null {
  const value = (Array.isArray(threadIndex) ? threadIndex[0] : threadIndex)?.replace(/\s+/g, '');
  if (!value || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < conversationBytes) return null;
  const conversation = bytes.subarray(0, conversationBytes);
  // All zeros names no conversation: a client that fills the header with nothing.
  return conversation.every((b) => b === 0) ? null : conversation.toString('hex');
}
