-- Hardened mode: the exact query's operators with its known gaps closed, each behind a switch bound as
-- {{h_case}}, {{h_original}}, {{h_subcommand}}, {{h_accounts}}, {{h_noise}}, {{h_pairs}} (true/false). Every row keeps
-- the reasons exact mode would not have counted it (lh_reasons), so the page can show what this mode adds.
in_window AS (
  SELECT * FROM lh_events WHERE lh_time > {{cutoff}}
),
named AS (
  -- File name in any letter case; renamed copies by their original file name; look-alikes (GRB_NET.exe) never match.
  SELECT *,
    coalesce(FileName IN ('net.exe', 'net1.exe'), false) AS lh_exact_name,
    coalesce(({{h_case}} AND lower(FileName) IN ('net.exe', 'net1.exe'))
      OR ({{h_original}} AND lower(ProcessVersionInfoOriginalFileName) IN ('net.exe', 'net1.exe')), false) AS lh_hard_name
  FROM in_window
),
net_rows AS (
  SELECT * FROM named WHERE lh_exact_name OR lh_hard_name
),
typed AS (
  -- The sub-command is the first argument after the net / net1 token; singular and plural count the same.
  SELECT *,
    CASE
      WHEN lh_has(ProcessCommandLine, 'accounts') THEN 'ACCOUNTS'
      WHEN lh_has(ProcessCommandLine, 'group') THEN 'GROUP'
      WHEN lh_has(ProcessCommandLine, 'user') THEN 'USER'
      WHEN lh_has(ProcessCommandLine, 'localgroup') THEN 'LOCALGROUP'
      ELSE 'Other' END AS lh_exact_type,
    lh_net_subcommand(ProcessCommandLine) AS lh_sub
  FROM net_rows
),
retyped AS (
  SELECT *,
    CASE WHEN NOT {{h_subcommand}} THEN lh_exact_type
      WHEN lh_sub IN ('accounts', 'account') THEN 'ACCOUNTS'
      WHEN lh_sub IN ('group', 'groups') THEN 'GROUP'
      WHEN lh_sub IN ('user', 'users') THEN 'USER'
      WHEN lh_sub IN ('localgroup', 'localgroups') THEN 'LOCALGROUP'
      ELSE 'Other' END AS NetActionType
  FROM typed
),
discovery AS (
  SELECT * FROM retyped WHERE NetActionType <> 'Other'
),
keyed AS (
  -- An empty AccountUpn (local and system accounts) is keyed by DOMAIN\name.
  SELECT * REPLACE (
      CASE WHEN coalesce(AccountUpn, '') <> '' OR NOT {{h_accounts}} OR coalesce(AccountName, '') = '' THEN AccountUpn
        WHEN coalesce(AccountDomain, '') = '' THEN AccountName
        ELSE AccountDomain || '\' || AccountName END AS AccountUpn),
    coalesce(AccountUpn, '') = '' AS lh_upn_missing
  FROM discovery
),
with_account AS (
  -- Expected noise: Defender's own investigation package, and the well-known service principals.
  SELECT *,
    -- Only a well-known service principal without a UPN can be noise: a command line or a parent's name is log text an
    -- attacker writes, and must not move a user's activity out of the alerts.
    CASE WHEN NOT {{h_noise}} OR NOT lh_upn_missing
        OR NOT (lower(AccountName) IN ('system', 'local service', 'network service') OR AccountSid IN ('S-1-5-18', 'S-1-5-19', 'S-1-5-20'))
        THEN NULL
      WHEN lower(InitiatingProcessParentFileName) = 'senseir.exe' OR lower(InitiatingProcessFileName) = 'senseir.exe'
        OR contains(lower(InitiatingProcessCommandLine), 'windows defender advanced threat protection\datacollection')
        THEN 'Defender investigation package'
      ELSE 'well-known service account'
      END AS lh_noise,
    list_filter([
      CASE WHEN NOT lh_exact_name AND lower(FileName) IN ('net.exe', 'net1.exe') THEN 'file name in another letter case' END,
      CASE WHEN NOT lh_exact_name AND coalesce(lower(FileName) NOT IN ('net.exe', 'net1.exe'), true) THEN 'renamed copy (original file name)' END,
      CASE WHEN lh_exact_type = 'Other' THEN 'sub-command not matched by has()' END,
      CASE WHEN lh_upn_missing THEN 'no AccountUpn (keyed by DOMAIN\name)' END], r -> r IS NOT NULL) AS lh_reasons
  FROM keyed WHERE AccountUpn IS NOT NULL AND AccountUpn <> ''
),
children AS (
  -- One `net` invocation logs net.exe and its net1.exe child (same device and account, the child's parent being
  -- the net.exe process, within 2 s): the child is counted with its parent, once.
  SELECT c.lh_seq FROM with_account c JOIN with_account p
    ON c.DeviceName IS NOT DISTINCT FROM p.DeviceName AND c.AccountUpn = p.AccountUpn
   AND abs(c.lh_time - p.lh_time) <= 20000000 AND c.lh_seq <> p.lh_seq
  WHERE {{h_pairs}}
    AND (lower(c.FileName) = 'net1.exe' OR lower(c.ProcessVersionInfoOriginalFileName) = 'net1.exe')
    AND (lower(p.FileName) = 'net.exe' OR lower(p.ProcessVersionInfoOriginalFileName) = 'net.exe')
    AND CASE WHEN c.InitiatingProcessId IS NOT NULL AND p.ProcessId IS NOT NULL AND c.InitiatingProcessId <> '' AND p.ProcessId <> ''
          THEN c.InitiatingProcessId = p.ProcessId
          ELSE lower(c.InitiatingProcessFileName) = 'net.exe' END
),
counted_all AS (
  SELECT * FROM with_account WHERE lh_seq NOT IN (SELECT lh_seq FROM children)
),
counted AS (
  SELECT * FROM counted_all WHERE lh_noise IS NULL AND NOT {{allowlisted}}
)
