// Reads a client's check-in history for back-testing, from CSV or JSON. Every problem is an
// error naming the line (CSV) or entry (JSON); nothing is skipped silently.
//
// CSV: a header row, then one row per check-in or event, oldest first. Columns (any order,
// case-insensitive): date, goal, task, bond (required), tension, talked, comment, status,
// client (optional). With a `client` column the file holds a whole practice: rows are grouped
// by client and each client's rows must be oldest first. The CSV and JSON that `/checkin
// export` writes are read as they are (session_end_utc is the date; check_in_id, total and
// answered_at_utc are ignored; check-ins that never closed or were cancelled are not replayed,
// and are counted). See docs/rupture-detection.md.

import type { TalkedThroughAnswer, TensionAnswer } from "../core/model.ts";
import { TALKED_THROUGH_ANSWERS, TENSION_ANSWERS } from "../core/model.ts";
import { CodedError } from "../ports/errors.ts";

export const HISTORY_STATUSES = ["answered", "expired", "missed_by_system", "skipped", "paused", "resumed", "stopped"] as const;
export type HistoryStatus = (typeof HISTORY_STATUSES)[number];

export interface HistoryRow {
  /** Where the row came from, for messages: "line 4" or "entry 3". */
  where: string;
  /** The client the row belongs to, in a practice file (null: a one-client file). */
  client?: string | null;
  date: Date;
  status: HistoryStatus;
  goal: number | null;
  task: number | null;
  bond: number | null;
  tension: TensionAnswer | null;
  talkedThrough: TalkedThroughAnswer | null;
  comment: string | null;
}

/** A history file that cannot be replayed; the message names the line or entry. */
export class HistoryInputError extends CodedError {
  constructor(message: string) {
    super("bad_history", message);
    this.name = "HistoryInputError";
  }
}

const COLUMNS = ["date", "goal", "task", "bond", "tension", "talked", "comment", "status", "client"] as const;
type Column = (typeof COLUMNS)[number];
const ALIASES: Record<string, Column> = {
  talked_through: "talked", talkedthrough: "talked", "talked through": "talked", session: "date", session_end: "date",
  // `/checkin export` (CSV and JSON)
  session_end_utc: "date", sessionendat: "date", client_id: "client", clientuserid: "client",
};
/** Export columns that carry nothing the rules read. */
const IGNORED = new Set(["check_in_id", "total", "answered_at_utc", "id", "enrollmentid", "kind", "sentat", "closesat", "answeredat", "completedat"]);
/** Check-in statuses in an export that never reached a closed outcome: not replayed, counted. */
export const NOT_REPLAYED_STATUSES = ["cancelled", "scheduled", "sending", "sent", "failed"] as const;

/** Rows read from a file, and how many export rows were not replayed (never closed, or cancelled). */
export interface ParsedHistory {
  rows: HistoryRow[];
  notReplayed: number;
  /** Whether the file names clients (a `client` column, or export documents). */
  practice: boolean;
}

/** Splits CSV text into records (quoted fields may hold commas, quotes as "" and newlines); keeps each record's first line number. */
export function parseCsvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let sawAny = false;
  const endField = () => {
    fields.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    if (fields.length > 1 || (fields[0] ?? "").trim() !== "") records.push({ line: recordLine, fields });
    fields = [];
    sawAny = false;
  };
  const src = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (!sawAny) {
      recordLine = line;
      sawAny = true;
    }
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === "") {
      quoted = true;
      field = "";
    } else if (ch === ",") endField();
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      endRecord();
      line++;
    } else field += ch;
  }
  if (quoted) throw new HistoryInputError(`line ${recordLine}: a quoted field is not closed`);
  if (sawAny) endRecord();
  return records;
}

function fail(where: string, message: string): never {
  throw new HistoryInputError(`${where}: ${message}`);
}

function parseScore(where: string, name: string, raw: string): number | null {
  const value = raw.trim();
  if (value === "") return null;
  if (!/^[1-5]$/.test(value)) fail(where, `${name} must be a whole number from 1 to 5, got "${value}"`);
  return Number(value);
}

function parseDate(where: string, raw: string): Date {
  const value = raw.trim();
  const ok = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value);
  const date = new Date(value.length === 10 ? `${value}T12:00:00Z` : value.replace(" ", "T"));
  if (!ok || Number.isNaN(date.getTime())) fail(where, `date must look like 2026-03-02 or 2026-03-02T17:50:00Z, got "${value}"`);
  const [y, m, d] = value.slice(0, 10).split("-").map(Number);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() + 1 !== m || (value.length === 10 && date.getUTCDate() !== d)) fail(where, `"${value}" is not a real date`);
  return date;
}

/** Turns raw column values into a checked row; null for an export row that is not replayed. */
function toRow(where: string, raw: Partial<Record<Column, string>>, previousOf: (client: string | null) => HistoryRow | undefined, fromExport = false): HistoryRow | null {
  if ((NOT_REPLAYED_STATUSES as readonly string[]).includes((raw.status ?? "").trim().toLowerCase())) return null;
  if (raw.date === undefined || raw.date.trim() === "") fail(where, "date is missing");
  const date = parseDate(where, raw.date);
  const client = raw.client === undefined ? null : raw.client.trim();
  if (client === "") fail(where, "client is empty; every row of a practice file names its client");
  const previous = previousOf(client);
  if (previous && date < previous.date) fail(where, `date ${raw.date.trim()} is before the previous row's${client === null ? "" : ` for client ${client}`}; rows must be oldest first`);
  const goal = parseScore(where, "goal", raw.goal ?? "");
  const task = parseScore(where, "task", raw.task ?? "");
  const bond = parseScore(where, "bond", raw.bond ?? "");
  const statusText = (raw.status ?? "").trim().toLowerCase().replace(/[\s-]+/g, "_");
  const status = (statusText === "" ? "answered" : statusText) as HistoryStatus;
  if (!(HISTORY_STATUSES as readonly string[]).includes(status)) fail(where, `status must be one of ${HISTORY_STATUSES.join(", ")} (or empty for answered), got "${raw.status}"`);
  const scores = [goal, task, bond].filter((v) => v !== null).length;
  if (status === "answered" && scores !== 3) fail(where, "an answered check-in needs goal, task and bond (1-5)");
  // An export keeps what a client answered before a check-in expired; the rules never read it.
  if (status !== "answered" && fromExport) return { where, client, date, status, goal: null, task: null, bond: null, tension: null, talkedThrough: null, comment: null };
  if (status !== "answered" && scores !== 0) fail(where, `a ${status} row has no scores; leave goal, task and bond empty`);
  const tensionText = (raw.tension ?? "").trim().toLowerCase().replace(/\s+/g, "_");
  const talkedText = (raw.talked ?? "").trim().toLowerCase();
  if (tensionText && !(TENSION_ANSWERS as readonly string[]).includes(tensionText)) fail(where, `tension must be no, a_little or yes, got "${raw.tension}"`);
  if (talkedText && !(TALKED_THROUGH_ANSWERS as readonly string[]).includes(talkedText)) fail(where, `talked must be yes, partly or no, got "${raw.talked}"`);
  if (status !== "answered" && (tensionText || talkedText || (raw.comment ?? "").trim())) fail(where, `a ${status} row has no answers; leave tension, talked and comment empty`);
  // An export guards spreadsheet formulas with a leading apostrophe: read the comment as written.
  const comment = (raw.comment ?? "").trim().replace(/^'(?=[=+\-@\t\r])/, "");
  return {
    where,
    client,
    date,
    status,
    goal,
    task,
    bond,
    tension: (tensionText || null) as TensionAnswer | null,
    talkedThrough: (talkedText || null) as TalkedThroughAnswer | null,
    comment: comment || null,
  };
}

function columnOf(name: string): Column | "ignored" | null {
  const key = name.trim().toLowerCase();
  if ((COLUMNS as readonly string[]).includes(key)) return key as Column;
  if (IGNORED.has(key)) return "ignored";
  return ALIASES[key] ?? null;
}

/** Keeps each client's rows in order and checks each client's dates separately. */
function collector() {
  const rows: HistoryRow[] = [];
  const last = new Map<string | null, HistoryRow>();
  let notReplayed = 0;
  return {
    previousOf: (client: string | null) => last.get(client),
    add(row: HistoryRow | null) {
      if (!row) {
        notReplayed++;
        return;
      }
      rows.push(row);
      last.set(row.client ?? null, row);
    },
    result: (practice: boolean): ParsedHistory => ({ rows, notReplayed, practice }),
  };
}

export function parseHistoryCsv(text: string): HistoryRow[] {
  return readHistoryCsv(text).rows;
}

export function readHistoryCsv(text: string): ParsedHistory {
  const records = parseCsvRecords(text);
  const header = records.shift();
  if (!header) throw new HistoryInputError("line 1: the file is empty; expected a header row such as date,goal,task,bond,tension,talked,comment,status");
  const columns = header.fields.map((name) => {
    const column = columnOf(name);
    if (!column) fail(`line ${header.line}`, `unknown column "${name.trim()}"; columns are ${COLUMNS.join(", ")}`);
    return column;
  });
  for (const required of ["date", "goal", "task", "bond"] as const) {
    if (!columns.includes(required)) fail(`line ${header.line}`, `the header needs a "${required}" column`);
  }
  const named = columns.filter((c) => c !== "ignored");
  if (new Set(named).size !== named.length) fail(`line ${header.line}`, "a column appears twice");
  const fromExport = header.fields.some((name) => name.trim().toLowerCase() === "check_in_id");
  const out = collector();
  for (const record of records) {
    const where = `line ${record.line}`;
    if (record.fields.length !== columns.length) fail(where, `expected ${columns.length} fields like the header, found ${record.fields.length}`);
    const raw: Partial<Record<Column, string>> = {};
    columns.forEach((column, i) => {
      if (column !== "ignored") raw[column] = record.fields[i];
    });
    out.add(toRow(where, raw, out.previousOf, fromExport));
  }
  return out.result(columns.includes("client"));
}

export function parseHistoryJson(text: string): HistoryRow[] {
  return readHistoryJson(text).rows;
}

const isExportDocument = (value: unknown): value is { subject?: { userId?: unknown }; checkIns?: unknown } =>
  !!value && typeof value === "object" && (value as { format?: unknown }).format === "alliance-checkin-export";

export function readHistoryJson(text: string): ParsedHistory {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // Newer Node versions quote part of the input in the parser's message; only the position is kept.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new HistoryInputError(`the JSON cannot be read: it is not valid JSON${position === undefined ? "" : ` (at character ${position})`}`);
  }
  // `/checkin export` documents, one or an array of them (a practice): the client is the subject.
  const documents = isExportDocument(data) ? [data] : Array.isArray(data) && data.length > 0 && data.every(isExportDocument) ? data : null;
  const out = collector();
  const readEntries = (list: unknown[], client: string | null, label: (i: number) => string, fromExport = false) => {
    list.forEach((entry, index) => {
      const where = label(index);
      if (!entry || typeof entry !== "object" || Array.isArray(entry)) fail(where, "each check-in must be an object");
      const raw: Partial<Record<Column, string>> = {};
      for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
        const column = columnOf(key);
        if (!column) fail(where, `unknown field "${key}"; fields are ${COLUMNS.join(", ")}`);
        if (column === "ignored") continue;
        if (value !== null && typeof value !== "string" && typeof value !== "number") fail(where, `${key} must be a string or a number`);
        raw[column] = value === null ? "" : String(value);
      }
      if (client !== null) raw.client = client;
      out.add(toRow(where, raw, out.previousOf, fromExport));
    });
  };
  if (documents) {
    documents.forEach((doc, d) => {
      const client = doc.subject?.userId;
      if (typeof client !== "string" || !client) fail(`document ${d + 1}`, "the export has no subject.userId");
      if (!Array.isArray(doc.checkIns)) fail(`document ${d + 1}`, "the export has no checkIns array");
      // Exports list check-ins newest first or in any order: replay them oldest first.
      const sorted = (doc.checkIns as { sessionEndAt?: unknown }[]).map((c, i) => ({ c, i })).sort((a, b) => String(a.c?.sessionEndAt ?? "").localeCompare(String(b.c?.sessionEndAt ?? "")) || a.i - b.i);
      readEntries(sorted.map((x) => x.c), client, (i) => `document ${d + 1} check-in ${(sorted[i]?.i ?? i) + 1}`, true);
    });
    return out.result(true);
  }
  const list = Array.isArray(data) ? data : data && typeof data === "object" && Array.isArray((data as { checkIns?: unknown }).checkIns) ? (data as { checkIns: unknown[] }).checkIns : null;
  if (!list) throw new HistoryInputError("the JSON must be an array of check-ins (or an object with a checkIns array, or `/checkin export` documents)");
  readEntries(list, null, (i) => `entry ${i + 1}`);
  const practice = out.result(false);
  return { ...practice, practice: practice.rows.some((r) => r.client) };
}

/** CSV unless the text (or the file name) says JSON. */
export function parseHistory(text: string, fileName = ""): HistoryRow[] {
  return readHistory(text, fileName).rows;
}

export function readHistory(text: string, fileName = ""): ParsedHistory {
  const looksJson = fileName.toLowerCase().endsWith(".json") || /^\s*[[{]/.test(text);
  return looksJson ? readHistoryJson(text) : readHistoryCsv(text.replace(/^\uFEFF/, ""));
}
