/**
 * A small RFC 4180 reader for the first records of a file: enough to read the header by name and sample values.
 * The bulk of a CSV is read by DuckDB; this never sees more than the sniffed prefix.
 */
export interface CsvPrefix {
  records: string[][];
  /** False when the prefix ended inside the last record (it is dropped). */
  complete: boolean;
}

export function parseCsvPrefix(text: string, delimiter: string, maxRecords: number, isWholeFile: boolean): CsvPrefix {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let inQuotes = false;
  let fieldStarted = false;
  const n = text.length;
  while (i < n && records.length < maxRecords) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        inQuotes = false; i++; continue;
      }
      field += ch; i++; continue;
    }
    if (ch === '"' && !fieldStarted) { inQuotes = true; fieldStarted = true; i++; continue; }
    if (ch === delimiter) { record.push(field); field = ''; fieldStarted = false; i++; continue; }
    if (ch === '\r' || ch === '\n') {
      record.push(field); records.push(record); record = []; field = ''; fieldStarted = false;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += ch; fieldStarted = true; i++;
  }
  let complete = true;
  if (i >= n && (fieldStarted || record.length > 0) && records.length < maxRecords) {
    if (isWholeFile && !inQuotes) { record.push(field); records.push(record); } else complete = false;
  }
  return { records, complete };
}

/** The delimiter of a header line: the most frequent of comma, semicolon and tab outside quotes. */
export function guessDelimiter(firstLine: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let inQuotes = false;
  for (const ch of firstLine) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [d, c] of counts) if (c > counts.get(best)!) best = d;
  return best;
}
