-- Quarterly report (shared/spec/metrics.md), PostgreSQL, absences left out.
-- Parameters (psycopg's named style): %(first)s, %(last)s ('YYYY-MM-DD', the period) and
-- %(own)s (this authority's code). No other percent sign may appear in this file.
-- One row: a column per figure, and <id>__percent for each row that has a percent base.
--
-- One bitmap range scan of episode_started_on; per episode one probe of the child's
-- primary key, one of the interview's unique episode_id index and one of legal_status_key
-- (child_id prefix) that yields the group in a single pass over the child's statuses:
-- 1 OLA, 2 LAC, 3 CP, 4 CIN, 5 NONE (lowest code in force wins, as "first match wins").
-- The child and the interview are LATERAL subqueries with OFFSET 0 so that the planner
-- keeps them as index probes (a plain join gets hash joins over the whole child and
-- interview tables, twice as slow for a quarter); the group is a LATERAL aggregate, so it
-- is a column computed once per episode. The latest episode of each child comes from one
-- window over the period's episodes.
WITH episode AS (
    SELECT
        e.id,
        e.child_id,
        e.started_epoch,
        e.ended_epoch - e.started_epoch AS duration,
        (e.started_ymd - c.birth_ymd) / 10000 AS age,
        coalesce(g.grp, 5) AS grp,
        r.outcome,
        r.outcome = 'ACCEPTED' AND r.completed_epoch IS NOT NULL AS completed,
        r.completed_epoch - e.ended_epoch AS wait
    FROM missing_episode AS e
    JOIN LATERAL (
        SELECT c.birth_ymd FROM children_child AS c WHERE c.id = e.child_id OFFSET 0
    ) AS c ON true
    LEFT JOIN LATERAL (
        SELECT r.outcome, r.completed_epoch
        FROM interviews_returninterview AS r
        WHERE r.episode_id = e.id
        OFFSET 0
    ) AS r ON true
    CROSS JOIN LATERAL (
        SELECT min(
            CASE s.status
                WHEN 'LAC' THEN CASE WHEN s.responsible_la IN ('', %(own)s) THEN 2 ELSE 1 END
                WHEN 'CP' THEN 3
                ELSE 4
            END
        ) AS grp
        FROM children_legalstatus AS s
        WHERE s.child_id = e.child_id
          AND s.start_date <= e.started_on
          AND (s.end_date IS NULL OR s.end_date >= e.started_on)
    ) AS g
    WHERE e.started_on BETWEEN %(first)s::date AND %(last)s::date
      AND e.category = 'MISSING'
),
ranked AS (
    SELECT
        episode.*,
        row_number() OVER (PARTITION BY child_id ORDER BY started_epoch DESC, id DESC) AS latest
    FROM episode
),
totals AS (
    SELECT
        count(*) AS episodes_total,
        count(*) FILTER (WHERE grp = 1) AS episodes_ola,
        count(*) FILTER (WHERE grp > 1) AS episodes_host,
        count(*) FILTER (WHERE grp = 2) AS episodes_host_lac,
        count(*) FILTER (WHERE grp = 3) AS episodes_host_cp,
        count(*) FILTER (WHERE latest = 1) AS individuals_total,
        count(*) FILTER (WHERE latest = 1 AND grp = 1) AS individuals_ola,
        count(*) FILTER (WHERE latest = 1 AND grp > 1) AS individuals_host,
        count(*) FILTER (WHERE latest = 1 AND grp = 2) AS individuals_host_lac,
        count(*) FILTER (WHERE latest = 1 AND grp = 3) AS individuals_host_cp,
        max(duration) / 86400 AS duration_max_days,
        count(*) FILTER (WHERE duration < 86400) AS duration_under_1_day,
        count(*) FILTER (WHERE duration >= 86400 AND duration < 172800) AS duration_1_to_2_days,
        count(*) FILTER (WHERE duration >= 172800 AND duration < 259200) AS duration_2_to_3_days,
        count(*) FILTER (WHERE duration >= 259200) AS duration_3_days_or_more,
        count(*) FILTER (WHERE duration IS NULL) AS episodes_open,
        min(age) AS age_youngest,
        sum(age) AS age_sum,
        count(*) FILTER (
            WHERE grp > 1 AND outcome IN ('NO_RESPONSE', 'DECLINED', 'ACCEPTED')
        ) AS rhi_offered,
        count(*) FILTER (WHERE grp > 1 AND outcome = 'DECLINED') AS rhi_declined,
        count(*) FILTER (WHERE grp > 1 AND outcome = 'ACCEPTED') AS rhi_accepted,
        count(*) FILTER (WHERE grp > 1 AND completed) AS rhi_completed,
        count(*) FILTER (WHERE grp > 1 AND completed AND wait <= 259200) AS rhi_within_72_hours,
        count(*) FILTER (WHERE grp > 1 AND completed AND wait <= 604800) AS rhi_within_1_week,
        max(wait) FILTER (WHERE grp > 1 AND completed) AS wait_max
    FROM ranked
)
SELECT
    episodes_total,
    episodes_ola,
    (200 * episodes_ola + episodes_total) / nullif(2 * episodes_total, 0) AS episodes_ola__percent,
    episodes_host,
    (200 * episodes_host + episodes_total) / nullif(2 * episodes_total, 0) AS episodes_host__percent,
    episodes_host_lac,
    (200 * episodes_host_lac + episodes_host) / nullif(2 * episodes_host, 0)
        AS episodes_host_lac__percent,
    episodes_host_cp,
    (200 * episodes_host_cp + episodes_host) / nullif(2 * episodes_host, 0)
        AS episodes_host_cp__percent,
    individuals_total,
    individuals_ola,
    (200 * individuals_ola + individuals_total) / nullif(2 * individuals_total, 0)
        AS individuals_ola__percent,
    individuals_host,
    (200 * individuals_host + individuals_total) / nullif(2 * individuals_total, 0)
        AS individuals_host__percent,
    individuals_host_lac,
    (200 * individuals_host_lac + individuals_host) / nullif(2 * individuals_host, 0)
        AS individuals_host_lac__percent,
    individuals_host_cp,
    (200 * individuals_host_cp + individuals_host) / nullif(2 * individuals_host, 0)
        AS individuals_host_cp__percent,
    -- Durations are never negative (ended_at >= started_at is a constraint): / is floor.
    duration_max_days,
    duration_under_1_day,
    (200 * duration_under_1_day + episodes_total) / nullif(2 * episodes_total, 0)
        AS duration_under_1_day__percent,
    duration_1_to_2_days,
    (200 * duration_1_to_2_days + episodes_total) / nullif(2 * episodes_total, 0)
        AS duration_1_to_2_days__percent,
    duration_2_to_3_days,
    (200 * duration_2_to_3_days + episodes_total) / nullif(2 * episodes_total, 0)
        AS duration_2_to_3_days__percent,
    duration_3_days_or_more,
    (200 * duration_3_days_or_more + episodes_total) / nullif(2 * episodes_total, 0)
        AS duration_3_days_or_more__percent,
    episodes_open,
    (200 * episodes_open + episodes_total) / nullif(2 * episodes_total, 0)
        AS episodes_open__percent,
    age_youngest,
    ((20 * age_sum + episodes_total) / nullif(2 * episodes_total, 0))::float8 / 10 AS age_average,
    rhi_offered,
    (200 * rhi_offered + episodes_host) / nullif(2 * episodes_host, 0) AS rhi_offered__percent,
    rhi_declined,
    (200 * rhi_declined + episodes_host) / nullif(2 * episodes_host, 0) AS rhi_declined__percent,
    rhi_accepted,
    (200 * rhi_accepted + episodes_host) / nullif(2 * episodes_host, 0) AS rhi_accepted__percent,
    rhi_completed,
    (200 * rhi_completed + rhi_accepted) / nullif(2 * rhi_accepted, 0) AS rhi_completed__percent,
    rhi_within_72_hours,
    (200 * rhi_within_72_hours + rhi_accepted) / nullif(2 * rhi_accepted, 0)
        AS rhi_within_72_hours__percent,
    rhi_within_1_week,
    (200 * rhi_within_1_week + rhi_accepted) / nullif(2 * rhi_accepted, 0)
        AS rhi_within_1_week__percent,
    -- Whole days rounded down, also for a (never recorded) interview before the return.
    CASE WHEN wait_max >= 0 THEN wait_max / 86400 ELSE -((86399 - wait_max) / 86400) END
        AS rhi_longest_days
FROM totals
