/**
 * SQL macros that carry the Kusto semantics the detections rely on (see README "Exact semantics").
 * Times are Kusto ticks: BIGINT count of 100 ns since 0001-01-01T00:00:00Z, so they stay exact (DuckDB
 * TIMESTAMP is µs) and `bin` needs no epoch shift. JavaScript numbers cannot hold them, so they cross the
 * engine boundary only as text.
 */

import { TICKS_PER_SECOND, UNIX_EPOCH_TICKS } from '../time/ticks';

/** Seconds between 0001-01-01 and 1970-01-01. */
const UNIX_EPOCH_SECONDS = UNIX_EPOCH_TICKS / TICKS_PER_SECOND;

const MONTHS = "['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec']";

/** ISO 8601 with an optional time, any number of fractional digits and an optional zone (`Z`, `+hh:mm`). */
const ISO_RE = String.raw`^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?\s*$`;
/** The Defender portal's display style, `Oct 9, 2024 2:41:10 PM` (no zone). */
const DISPLAY_RE = String.raw`^\s*([A-Za-z]{3})[A-Za-z]*\.? (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,](\d+))? ?([AaPp][Mm])?\s*$`;
/** Log Analytics locale style, `26/03/2026, 15:18:18.790` or `7/5/2023, 2:16:44.756 PM`. */
const LOCALE_RE = String.raw`^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,](\d+))? ?([AaPp][Mm])?\s*$`;

const PARTS = "['a','b','c','h','mi','s','f','z']";

/**
 * The command line's own first token (the net / net1 executable: bare, with a path, quoted, or renamed). The
 * sub-command is the first word after it once every quote is gone, as net.exe reads `net "u"ser`: `user`.
 */
const NET_TOKEN_RE = String.raw`^\s*(?:"[^"]*"|[^\s"]+)`;

export const MACROS_SQL = [
  // KQL `has` with an alphanumeric term: the term is a maximal run of [0-9A-Za-z], case-insensitive.
  // `\b` would be wrong: it treats `_` as a word character, Kusto delimits on it.
  `CREATE OR REPLACE MACRO lh_has(s, term) AS coalesce(regexp_matches(s, '(^|[^0-9A-Za-z])' || term || '([^0-9A-Za-z]|$)', 'i'), false)`,
  `CREATE OR REPLACE MACRO lh_frac7(f) AS CASE WHEN f IS NULL OR f = '' THEN 0 ELSE rpad(left(f, 7), 7, '0')::BIGINT END`,
  // try_strptime validates the calendar (no 30 February) and yields NULL instead of failing the whole scan.
  `CREATE OR REPLACE MACRO lh_secs(y, mo, d, h, mi, s) AS
     (epoch_us(try_strptime(y || '-' || mo || '-' || d || ' ' || h || ':' || mi || ':' || s, '%Y-%m-%d %H:%M:%S'))
       + ${UNIX_EPOCH_SECONDS * 1_000_000n}) // 1000000`,
  `CREATE OR REPLACE MACRO lh_hour12(h, ampm) AS CASE
     WHEN ampm IS NULL OR ampm = '' THEN h
     WHEN h::INTEGER < 1 OR h::INTEGER > 12 THEN NULL
     ELSE ((h::INTEGER % 12) + CASE WHEN upper(ampm) = 'PM' THEN 12 ELSE 0 END)::VARCHAR END`,
  `CREATE OR REPLACE MACRO lh_zone_minutes(z) AS CASE
     WHEN z IS NULL OR z IN ('', 'Z', 'z', 'UTC') THEN 0
     ELSE (CASE WHEN left(z, 1) = '-' THEN -1 ELSE 1 END) * list_transform([replace(substr(z, 2), ':', '')],
       d -> left(d, 2)::INTEGER * 60 + CASE WHEN length(d) >= 4 THEN substr(d, 3, 2)::INTEGER ELSE 0 END)[1] END`,
  `CREATE OR REPLACE MACRO lh_parts_ticks(y, mo, d, h, mi, s, f, zone_minutes) AS
     lh_secs(y, mo, d, CASE WHEN h = '' THEN '0' ELSE h END, coalesce(nullif(mi, ''), '0'), coalesce(nullif(s, ''), '0'))
       * ${TICKS_PER_SECOND} + lh_frac7(f) - zone_minutes::BIGINT * ${TICKS_PER_SECOND * 60n}`,
  // The lambda over a one-element list evaluates regexp_extract once per value.
  `CREATE OR REPLACE MACRO lh_iso_ticks(s) AS list_transform([regexp_extract(s, '${ISO_RE}', ${PARTS})],
     p -> CASE WHEN p.a = '' THEN NULL ELSE lh_parts_ticks(p.a, p.b, p.c, p.h, p.mi, p.s, p.f, lh_zone_minutes(p.z)) END)[1]`,
  // The common case first, at a fraction of the regex's cost: `2024-05-01T10:22:33.1234567Z` (0 to 7 fractional
  // digits) through DuckDB's own timestamp parser (µs), plus the 7th digit. Anything else, or anything that parser
  // refuses, is left to lh_iso_ticks, which decides.
  `CREATE OR REPLACE MACRO lh_iso_fast(s) AS CASE
     WHEN length(s) BETWEEN 20 AND 28 AND substr(s, 11, 1) = 'T' AND right(s, 1) = 'Z' AND substr(s, 12, 2) < '24'
       AND (length(s) = 20 OR (length(s) >= 22 AND substr(s, 20, 1) = '.'))
       AND (length(s) < 28 OR substr(s, 27, 1) BETWEEN '0' AND '9')
     THEN epoch_us(try_cast(s AS TIMESTAMP)) * 10 + ${UNIX_EPOCH_TICKS}
       + CASE WHEN length(s) = 28 THEN ascii(substr(s, 27, 1)) - 48 ELSE 0 END END`,
  `CREATE OR REPLACE MACRO lh_iso_ticks_fast(s) AS coalesce(lh_iso_fast(s), lh_iso_ticks(s))`,
  // A mapped table's times: those written without a zone are in the zone the user chose.
  `CREATE OR REPLACE MACRO lh_iso_ticks_in(s, offset_minutes) AS list_transform([regexp_extract(s, '${ISO_RE}', ${PARTS})],
     p -> CASE WHEN p.a = '' THEN NULL ELSE lh_parts_ticks(p.a, p.b, p.c, p.h, p.mi, p.s, p.f,
       CASE WHEN p.z = '' THEN offset_minutes ELSE lh_zone_minutes(p.z) END) END)[1]`,
  `CREATE OR REPLACE MACRO lh_display_ticks(s, offset_minutes) AS list_transform([regexp_extract(s, '${DISPLAY_RE}', ${PARTS})],
     p -> CASE WHEN p.c = '' OR list_position(${MONTHS}, lower(p.a)) IS NULL THEN NULL
          ELSE lh_parts_ticks(p.c, list_position(${MONTHS}, lower(p.a))::VARCHAR, p.b, lh_hour12(p.h, p.z), p.mi, p.s, p.f, offset_minutes) END)[1]`,
  `CREATE OR REPLACE MACRO lh_locale_ticks(s, day_first) AS list_transform([regexp_extract(s, '${LOCALE_RE}', ${PARTS})],
     p -> CASE WHEN p.c = '' THEN NULL
          WHEN day_first THEN lh_parts_ticks(p.c, p.b, p.a, lh_hour12(p.h, p.z), p.mi, p.s, p.f, 0)
          ELSE lh_parts_ticks(p.c, p.a, p.b, lh_hour12(p.h, p.z), p.mi, p.s, p.f, 0) END)[1]`,
  // A missing time is NULL (Kusto drops it at the time filter); `Invalid date` is how the portal writes one.
  `CREATE OR REPLACE MACRO lh_time_missing(s) AS s IS NULL OR trim(s) = '' OR trim(s) = 'Invalid date'`,
  `CREATE OR REPLACE MACRO lh_ticks(s, day_first, offset_minutes) AS CASE
     WHEN lh_time_missing(s) THEN NULL
     WHEN regexp_matches(s, '^\\s*\\d{4}-') THEN lh_iso_ticks_fast(s)
     WHEN regexp_matches(s, '^\\s*[A-Za-z]') THEN lh_display_ticks(s, offset_minutes)
     ELSE lh_locale_ticks(s, day_first) END`,
  `CREATE OR REPLACE MACRO lh_time_bad(s, ticks) AS CASE WHEN ticks IS NOT NULL THEN false ELSE NOT lh_time_missing(s) END`,
  // For the day-first / month-first decision of a locale-style column.
  `CREATE OR REPLACE MACRO lh_locale_field(s, i) AS
     CASE WHEN regexp_matches(s, '^\\s*\\d{1,2}[./-]\\d{1,2}[./-]\\d{4}') THEN try_cast(regexp_extract(s, '^\\s*(\\d{1,2})[./-](\\d{1,2})', i) AS INTEGER) END`,
  `CREATE OR REPLACE MACRO lh_locale_ampm(s) AS
     regexp_matches(s, '^\\s*\\d{1,2}[./-]\\d{1,2}[./-]\\d{4}.*[0-9] ?[AaPp][Mm]\\s*$')`,
  // Hardened mode: the sub-command, the first argument after the net / net1 token (quotes ignored, as net.exe's own
  // parser ignores them).
  `CREATE OR REPLACE MACRO lh_net_subcommand(cmd) AS
     nullif(regexp_extract(replace(regexp_replace(lower(cmd), '${NET_TOKEN_RE}', ''), '"', ''), '^\\s+([a-z]+)', 1), '')`,
  // Ticks to Kusto's JSON datetime text, 7 fractional digits, composed by hand (strftime's %n misbehaves).
  `CREATE OR REPLACE MACRO lh_fmt(t) AS CASE WHEN t IS NULL THEN NULL ELSE
     strftime(make_timestamp((t // ${TICKS_PER_SECOND} - ${UNIX_EPOCH_SECONDS}) * 1000000), '%Y-%m-%dT%H:%M:%S')
     || '.' || lpad((t % ${TICKS_PER_SECOND})::VARCHAR, 7, '0') || 'Z' END`,
];
