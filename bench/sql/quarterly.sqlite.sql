-- Quarterly report (shared/spec/metrics.md), SQLite, absences left out.
-- Parameters: :first, :last ('YYYY-MM-DD', the period), :own (this authority's code).
-- One row: a column per figure, and <id>__percent for each row that has a percent base.
--
-- One range scan of episode_started_on. The window that finds each child's latest episode
-- runs first, over the episode columns alone, so that its sort carries narrow rows. Then,
-- per episode (now in child order, which keeps the next probes close together): a rowid
-- lookup of the child, a probe of the interview's unique episode_id index and a probe of
-- legal_status_key (child_id prefix) that yields the group in one pass over the child's
-- statuses: 1 OLA, 2 LAC, 3 CP, 4 CIN, 5 NONE (the lowest code in force wins, as "first
-- match wins"). That result is MATERIALIZED: otherwise SQLite flattens it into the
-- aggregate and re-runs the group's subquery for every one of its references there.
WITH period_episode AS (
    SELECT
        e.id,
        e.child_id,
        e.started_on,
        e.started_ymd,
        e.started_epoch,
        e.ended_epoch,
        row_number() OVER (PARTITION BY e.child_id ORDER BY e.started_epoch DESC, e.id DESC)
            AS latest
    FROM missing_episode AS e
    WHERE e.started_on BETWEEN :first AND :last
      AND e.category = 'MISSING'
),
ranked AS MATERIALIZED (
    SELECT
        e.latest,
        e.ended_epoch - e.started_epoch AS duration,
        (e.started_ymd - c.birth_ymd) / 10000 AS age,
        coalesce(
            (
                SELECT min(
                    CASE s.status
                        WHEN 'LAC' THEN CASE WHEN s.responsible_la IN ('', :own) THEN 2 ELSE 1 END
                        WHEN 'CP' THEN 3
                        ELSE 4
                    END
                )
                FROM children_legalstatus AS s
                WHERE s.child_id = e.child_id
                  AND s.start_date <= e.started_on
                  AND (s.end_date IS NULL OR s.end_date >= e.started_on)
            ),
            5
        ) AS grp,
        r.outcome,
        r.outcome = 'ACCEPTED' AND r.completed_epoch IS NOT NULL AS completed,
        r.completed_epoch - e.ended_epoch AS wait
    FROM period_episode AS e
    JOIN children_child AS c ON c.id = e.child_id
    LEFT JOIN interviews_returninterview AS r ON r.episode_id = e.id
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
    (20 * age_sum + episodes_total) / nullif(2 * episodes_total, 0) / 10.0 AS age_average,
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
