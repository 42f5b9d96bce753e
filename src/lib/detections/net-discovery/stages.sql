-- The KQL's operators before `summarize`, one CTE each, in the query's order. Read by the detection runner,
-- which puts `WITH` in front and binds {{cutoff}} and {{allowlisted}} (a condition on AccountUpn) as SQL.
in_window AS (
  -- | where Timestamp > startofday(ago(StartTime))     strict >, exact 100 ns ticks, no upper bound
  SELECT * FROM lh_events WHERE lh_time > {{cutoff}}
),
net_rows AS (
  -- | where FileName in ("net.exe", "net1.exe")          `in` is case-sensitive
  SELECT * FROM in_window WHERE FileName IN ('net.exe', 'net1.exe')
),
typed AS (
  -- | extend NetActionType = case(...)                    the first true predicate wins; `has` is a whole-term match
  SELECT *, CASE
      WHEN lh_has(ProcessCommandLine, 'accounts') THEN 'ACCOUNTS'
      WHEN lh_has(ProcessCommandLine, 'group') THEN 'GROUP'
      WHEN lh_has(ProcessCommandLine, 'user') THEN 'USER'
      WHEN lh_has(ProcessCommandLine, 'localgroup') THEN 'LOCALGROUP'
      ELSE 'Other' END AS NetActionType
  FROM net_rows
),
discovery AS (
  -- | where NetActionType != "Other"
  SELECT * FROM typed WHERE NetActionType <> 'Other'
),
with_account AS (
  -- | where isnotempty(AccountUpn)                        white space is not empty
  SELECT * FROM discovery WHERE AccountUpn IS NOT NULL AND AccountUpn <> ''
),
counted AS (
  -- | where AccountUpn !in~ (Allowlist)                   the seed's suggested global allowlist, case-insensitive,
  --                                                       entries may hold * wildcards
  SELECT * FROM with_account WHERE NOT {{allowlisted}}
)
