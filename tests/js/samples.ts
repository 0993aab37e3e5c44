// Commands a TypeScript station system would send, typed by the types that
// json-schema-to-typescript generates from `beatpolice schema commands` (commands.d.ts,
// written beside this file by tests/js/test_node_schemas.py). `tsc --noEmit` must accept
// the good ones and refuse each line marked @ts-expect-error.
import type { Command, EnlistOfficer, OpenDispute, RecordVisit } from "./generated/commands";

const enlist: EnlistOfficer = {
  type: "enlist_officer",
  badge: "D0001",
  name: "薛翠翠",
  station: "德州市公安局",
  beat: "一区",
};

const visit: RecordVisit = {
  type: "record_visit",
  id: "V1",
  officer: "D0001",
  household: "H001",
  occurred_at: "2014-01-03T09:30:00+08:00",
  people_match_register: true,
  notes: null,
};

const dispute: OpenDispute = {
  type: "open_dispute",
  id: "D-1",
  officer: "D0001",
  category: "邻里纠纷",
  parties: ["赵某", "黄某"],
  occurred_at: "2014-01-03T09:30:00+08:00",
  level: "yellow",
};

export const lines: Command[] = [enlist, visit, dispute];

// @ts-expect-error: "beat" is required
export const noBeat: EnlistOfficer = { type: "enlist_officer", badge: "D1", name: "x", station: "y" };

// @ts-expect-error: "purple" is not a level
export const purple: OpenDispute = { ...dispute, level: "purple" };

// @ts-expect-error: a command's type picks its fields
export const mixed: Command = { type: "enlist_officer", id: "V1", officer: "D1" };
