// Reads a client's check-in history for back-testing, from CSV or JSON. Every problem is an
// error naming the line (CSV) or entry (JSON); nothing is skipped silently.
//
// CSV: a header row, then one row per check-in or event, oldest first. Columns (any order,
// case-insensitive): date, goal, task, bond (required), tension, talked, comment, status
// (optional). See docs/rupture-detection.md.

import type { TalkedThroughAnswer, TensionAnswer } from "../core/model.ts";
import { TALKED_THROUGH_ANSWERS, TENSION_ANSWERS } from "../core/model.ts";

export const HISTORY_STATUSES = ["answered", "expired", "missed_by_system", "skipped", "paused", "resumed", "stopped"] as const;
export type HistoryStatus = (typeof HISTORY_STATUSES)[number];

export interface HistoryRow {
  /** Where the row came from, for messages: "line 4" or "entry 3". */
  where: string;
  date: Date;
  status: HistoryStatus;
  goal: number | null;
  task: number | null;
  bond: number | null;
  tension: TensionAnswer | null;
  talkedThrough: TalkedThroughAnswer | null;
  comment: string | null;
}

export class HistoryInputError extends Error {
  readonly code = "bad_history";
  constructor(message: string) {
    super(message);
    this.name = "HistoryInputError";
  }
}

const COLUMNS = ["date", "goal", "task", "bond", "tension", "talked", "comment", "status"] as const;
type Column = (typeof COLUMNS)[number];
const ALIASES: Record<string, Column> = { talked_through: "talked", talkedthrough: "talked", "talked through": "talked", session: "date", session_end: "date" };

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

/** Turns raw column values into a checked row. */
function toRow(where: string, raw: Partial<Record<Column, string>>, previous: HistoryRow | undefined): HistoryRow {
  if (raw.date === undefined || raw.date.trim() === "") fail(where, "date is missing");
  const date = parseDate(where, raw.date);
  if (previous && date < previous.date) fail(where, `date ${raw.date.trim()} is before the previous row's; rows must be oldest first`);
  const goal = parseScore(where, "goal", raw.goal ?? "");
  const task = parseScore(where, "task", raw.task ?? "");
  const bond = parseScore(where, "bond", raw.bond ?? "");
  const statusText = (raw.status ?? "").trim().toLowerCase().replace(/[\s-]+/g, "_");
  const status = (statusText === "" ? "answered" : statusText) as HistoryStatus;
  if (!(HISTORY_STATUSES as readonly string[]).includes(status)) fail(where, `status must be one of ${HISTORY_STATUSES.join(", ")} (or empty for answered), got "${raw.status}"`);
  const scores = [goal, task, bond].filter((v) => v !== null).length;
  if (status === "answered" && scores !== 3) fail(where, "an answered check-in needs goal, task and bond (1-5)");
  if (status !== "answered" && scores !== 0) fail(where, `a ${status} row has no scores; leave goal, task and bond empty`);
  const tensionText = (raw.tension ?? "").trim().toLowerCase().replace(/\s+/g, "_");
  const talkedText = (raw.talked ?? "").trim().toLowerCase();
  if (tensionText && !(TENSION_ANSWERS as readonly string[]).includes(tensionText)) fail(where, `tension must be no, a_little or yes, got "${raw.tension}"`);
  if (talkedText && !(TALKED_THROUGH_ANSWERS as readonly string[]).includes(talkedText)) fail(where, `talked must be yes, partly or no, got "${raw.talked}"`);
  if (status !== "answered" && (tensionText || talkedText || (raw.comment ?? "").trim())) fail(where, `a ${status} row has no answers; leave tension, talked and comment empty`);
  const comment = (raw.comment ?? "").trim();
  return {
    where,
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

function columnOf(name: string): Column | null {
  const key = name.trim().toLowerCase();
  if ((COLUMNS as readonly string[]).includes(key)) return key as Column;
  return ALIASES[key] ?? null;
}

export function parseHistoryCsv(text: string): HistoryRow[] {
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
  if (new Set(columns).size !== columns.length) fail(`line ${header.line}`, "a column appears twice");
  const rows: HistoryRow[] = [];
  for (const record of records) {
    const where = `line ${record.line}`;
    if (record.fields.length !== columns.length) fail(where, `expected ${columns.length} fields like the header, found ${record.fields.length}`);
    const raw: Partial<Record<Column, string>> = {};
    columns.forEach((column, i) => (raw[column] = record.fields[i]));
    rows.push(toRow(where, raw, rows.at(-1)));
  }
  return rows;
}

export function parseHistoryJson(text: string): HistoryRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new HistoryInputError(`the JSON cannot be read: ${(error as Error).message}`);
  }
  const list = Array.isArray(data) ? data : data && typeof data === "object" && Array.isArray((data as { checkIns?: unknown }).checkIns) ? (data as { checkIns: unknown[] }).checkIns : null;
  if (!list) throw new HistoryInputError("the JSON must be an array of check-ins (or an object with a checkIns array)");
  const rows: HistoryRow[] = [];
  list.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) fail(where, "each check-in must be an object");
    const raw: Partial<Record<Column, string>> = {};
    for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
      const column = columnOf(key);
      if (!column) fail(where, `unknown field "${key}"; fields are ${COLUMNS.join(", ")}`);
      if (value !== null && typeof value !== "string" && typeof value !== "number") fail(where, `${key} must be a string or a number`);
      raw[column] = value === null ? "" : String(value);
    }
    rows.push(toRow(where, raw, rows.at(-1)));
  });
  return rows;
}

/** CSV unless the text (or the file name) says JSON. */
export function parseHistory(text: string, fileName = ""): HistoryRow[] {
  const looksJson = fileName.toLowerCase().endsWith(".json") || /^\s*[[{]/.test(text);
  return looksJson ? parseHistoryJson(text) : parseHistoryCsv(text);
}
