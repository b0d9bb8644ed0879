import { parse } from 'csv-parse/sync';
import { type MarkReadRequest, parseMarkReadRequest } from '../domain/mark-read-request.js';
import { clipPlain, visible } from '../text/visible.js';

/** Header names by column, any case: markread's own, and the API's field names. */
const HEADERS: Record<string, 'user' | 'peer' | 'readTime'> = {
  user: 'user',
  report_account: 'user',
  peer: 'peer',
  peer_account: 'peer',
  read_time: 'readTime',
  msgreadtime: 'readTime',
};

type Columns = { user: number; peer: number; readTime: number | undefined };
type Row = { record: string[]; info: { lines: number } };
type Problems = { ok: false; problems: string[] };

/** Problems listed at most; more are counted. */
const PROBLEMS_SHOWN = 20;

/**
 * Reads a pairs file: CSV (RFC 4180 quoting, by csv-parse) of user,peer[,read_time]. Blank lines and lines
 * starting with `#` are skipped. A first row whose cells are all column names (user/peer/read_time or
 * Report_Account/Peer_Account/MsgReadTime, any case, any order) is a header and says which column is which.
 * Every row is checked before anything is called; problems name their line (and column for CSV errors).
 */
export function parsePairsFile(text: string, nowMs = Date.now()): { ok: true; pairs: MarkReadRequest[] } | Problems {
  const rows = csvRows(text);
  if (!Array.isArray(rows)) return rows;
  const header = headerOf(rows);
  if ('problems' in header) return header;
  const pairs: MarkReadRequest[] = [];
  const problems: string[] = [];
  for (const row of header.columns ? rows.slice(1) : rows) {
    const checked = checkRow(row, header.columns ?? { user: 0, peer: 1, readTime: 2 }, nowMs);
    if (Array.isArray(checked)) problems.push(...checked);
    else pairs.push(checked);
  }
  if (problems.length > 0)
    return {
      ok: false,
      problems: problems
        .slice(0, PROBLEMS_SHOWN)
        .concat(problems.length > PROBLEMS_SHOWN ? [`…and ${problems.length - PROBLEMS_SHOWN} more`] : []),
    };
  if (pairs.length === 0) return { ok: false, problems: ['the file has no user,peer lines'] };
  return { ok: true, pairs };
}

/** The file's rows with their line numbers, or where it is not valid CSV. */
function csvRows(text: string): Row[] | Problems {
  try {
    return parse(text, {
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      info: true,
      bom: true,
    }) as unknown as Row[];
  } catch (error) {
    const e = error as { message?: string; lines?: number; column?: number | string };
    const where =
      e.lines !== undefined ? `line ${e.lines}${typeof e.column === 'number' ? `, column ${e.column + 1}` : ''}: ` : '';
    return { ok: false, problems: [`${where}not valid CSV: ${visible(clipPlain(e.message ?? String(error), 160))}`] };
  }
}

/** The columns a header row names (undefined: there is no header), or why the header is unusable. */
function headerOf(rows: Row[]): { columns: Columns | undefined } | Problems {
  const first = rows[0]?.record;
  if (!first?.every((cell) => HEADERS[cell.toLowerCase()] !== undefined)) return { columns: undefined };
  const named = Object.fromEntries(first.map((cell, i) => [HEADERS[cell.toLowerCase()] as string, i]));
  if (named.user === undefined || named.peer === undefined)
    return {
      ok: false,
      problems: [
        `line ${rows[0]?.info.lines}: the header names ${first.map((c) => JSON.stringify(c)).join(', ')} but not both a user and a peer column`,
      ],
    };
  return {
    columns: { user: named.user as number, peer: named.peer as number, readTime: named.readTime as number | undefined },
  };
}

/** One row as a checked request, or its problems, each naming the row's line. */
function checkRow({ record, info }: Row, columns: Columns, nowMs: number): MarkReadRequest | string[] {
  if (record.length < 2 || record.length > 3)
    return [
      `line ${info.lines}: expected user,peer or user,peer,read_time, got ${record.length} field${record.length === 1 ? '' : 's'}`,
    ];
  const readTime = columns.readTime === undefined ? record[2] : record[columns.readTime];
  const checked = parseMarkReadRequest(
    { user: record[columns.user] ?? '', peer: record[columns.peer] ?? '', readTime },
    nowMs,
  );
  return checked.ok ? checked.request : checked.problems.map((p) => `line ${info.lines}: ${p.message}`);
}
