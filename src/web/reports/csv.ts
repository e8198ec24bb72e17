// A report page's CSV download: the header at once, the rows streamed as the service yields them
// (the same dialect as the API's downloads, so a spreadsheet opens both alike).
import { streamCsv, type CsvCell } from '../../services/spreadsheet-csv.js';
import type { ReportsContext } from './http.js';

export function csvDownload(c: ReportsContext, filename: string, columns: readonly string[], rows: AsyncIterable<readonly CsvCell[]> | Iterable<readonly CsvCell[]>): Response {
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
        c.var.logger.error({ err }, 'CSV download of a report page failed while streaming');
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
