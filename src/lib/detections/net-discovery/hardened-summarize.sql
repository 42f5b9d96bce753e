-- Hardened mode's summarize: exact mode's columns, per account key and bin, with expected noise grouped apart
-- (lh_noise) and, per group, what exact mode would not have counted (lh_reasons, lh_new_events).
SELECT
  g.* EXCLUDE (lh_last_pick, lh_first_pick),
  {'src': l.lh_src, 'ext': [g.lh_last_pick.ext], 'values': l.lh_values} AS lh_last,
  {'src': f.lh_src, 'ext': [g.lh_first_pick.ext], 'values': f.lh_values} AS lh_first
FROM (
  SELECT
    AccountUpn,
    {{allowlisted}} AS lh_suppressed,
    any_value(lh_noise) AS lh_noise,
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
    arg_min({'seq': lh_seq, 'ext': NetActionType}, [lh_time, lh_seq]) AS lh_first_pick,
    list_sort(list_distinct(flatten(list(lh_reasons)))) AS lh_reasons,
    count(*) FILTER (WHERE len(lh_reasons) > 0) AS lh_new_events
  FROM counted_all
  GROUP BY AccountUpn, (lh_time // {{bin}}) * {{bin}}, lh_noise IS NOT NULL
  HAVING count(*) >= {{threshold}}
) g
-- As in exact mode: the picked rows' values are fetched for the groups that alert only.
JOIN lh_events l ON l.lh_seq = g.lh_last_pick.seq
JOIN lh_events f ON f.lh_seq = g.lh_first_pick.seq
