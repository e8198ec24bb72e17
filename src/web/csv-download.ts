// A report as a streamed CSV download, for the API's reports and the report pages alike: the
// header at once, the rows as the service yields them, text cells neutralised for spreadsheets.
import type { Logger } from 'pino';
import { streamCsv, type CsvCell } from '../services/spreadsheet-csv.js';

export function csvDownload(logger: Pick<Logger, 'error'> | undefined, filename: string, columns: readonly string[], rows: AsyncIterable<readonly CsvCell[]> | Iterable<readonly CsvCell[]>): Response {
  const chunks = streamCsv(rows, { columns, dialect: 'spreadsheet' });
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        // The header has gone out: the download breaks off rather than end as if complete.
        logger?.error({ err, filename }, 'CSV report failed while streaming');
        controller.error(err);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"`, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' },
  });
}
