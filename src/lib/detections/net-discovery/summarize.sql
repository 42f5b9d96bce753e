-- | summarize ... by AccountUpn, bin(Timestamp, BinFormat) | where TotalEvents >= Threshold
-- Runs over the rows before the allowlist, so that allowlisted accounts that would have alerted can be shown as
-- suppressed (lh_suppressed); grouping is per account, so the other accounts' counts are the same either way.
-- Bins are multiples of {{bin}} ticks counted from 0001-01-01 (ticks start there, so no shift is needed).
-- arg_max / arg_min keep one whole row each; ties on time go to the row latest (arg_max) or earliest (arg_min)
-- in source order, via lh_seq.
SELECT
  g.* EXCLUDE (lh_last_pick, lh_first_pick),
  {'src': l.lh_src, 'ext': [g.lh_last_pick.ext], 'values': l.lh_values} AS lh_last,
  {'src': f.lh_src, 'ext': [g.lh_first_pick.ext], 'values': f.lh_values} AS lh_first
FROM (
  SELECT
    AccountUpn,
    {{allowlisted}} AS lh_suppressed,
    lh_fmt((lh_time // {{bin}}) * {{bin}}) AS lh_bin,
    count(*) AS TotalEvents,
    count(*) FILTER (WHERE NetActionType = 'ACCOUNTS') AS TotalAccountsEvents,
    count(*) FILTER (WHERE NetActionType = 'GROUP') AS TotalGroupEvents,
    count(*) FILTER (WHERE NetActionType = 'USER') AS TotalUserEvents,
    count(*) FILTER (WHERE NetActionType = 'LOCALGROUP') AS TotalLocalGroupEvents,
    list(DISTINCT ProcessCommandLine) FILTER (WHERE ProcessCommandLine IS NOT NULL) AS ExecutedCommands,
    lh_fmt(max(lh_time)) AS LastEvent,
    lh_fmt(min(lh_time)) AS FirstEvent,
    arg_max({'seq': lh_seq, 'ext': NetActionType}, [lh_time, lh_seq]) AS lh_last_pick,
    arg_min({'seq': lh_seq, 'ext': NetActionType}, [lh_time, lh_seq]) AS lh_first_pick
  FROM with_account
  GROUP BY AccountUpn, (lh_time // {{bin}}) * {{bin}}
  HAVING count(*) >= {{threshold}}
) g
-- The picked rows' values are fetched for the groups that alert only (lh_seq names one event): picking whole rows
-- in every group cost as much as the rest of the query.
JOIN lh_events l ON l.lh_seq = g.lh_last_pick.seq
JOIN lh_events f ON f.lh_seq = g.lh_first_pick.seq
