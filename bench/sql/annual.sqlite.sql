-- Annual report (shared/spec/metrics.md), SQLite, absences left out. One statement.
-- Parameters: :first, :last ('YYYY-MM-DD', the period), :own (this authority's code).
-- One row: a column per figure, and <id>__percent for each row that has a percent base.
--
-- The period's episodes are read once, as in quarterly.sqlite.sql: one range scan of
-- episode_started_on; one window over the episode columns alone, partitioned by child in
-- start order, gives each episode its rank in the child's period and the child's number of
-- episodes (the latest episode is the one whose rank is that number, the first the one
-- ranked 1, and a child with 3 or more has an episode ranked 3); then per episode a rowid
-- lookup of the child, a probe of the interview's unique episode_id index and a probe of
-- legal_status_key giving the group (1 OLA, 2 LAC, 3 CP, 4 CIN, 5 NONE). That result is
-- materialized once (SQLite would otherwise re-run the group's subquery for each of its
-- references in the aggregate) and read twice: for the totals and for the most common age
-- at the first episode. The other tables are small aggregates over their date indexes.
WITH period_episode AS (
    SELECT
        e.id,
        e.child_id,
        e.started_on,
        e.started_ymd,
        e.started_epoch,
        e.ended_epoch,
        e.reported_epoch,
        e.notified_epoch,
        row_number() OVER child AS nth,
        count(*) OVER child AS child_episode_count
    FROM missing_episode AS e
    WHERE e.started_on BETWEEN :first AND :last
      AND e.category = 'MISSING'
    WINDOW child AS (
        PARTITION BY e.child_id ORDER BY e.started_epoch, e.id
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    )
),
ranked AS MATERIALIZED (
    SELECT
        e.id,
        e.child_id,
        e.nth,
        e.child_episode_count,
        e.ended_epoch IS NOT NULL AS ended,
        e.ended_epoch - e.started_epoch AS duration,
        e.notified_epoch,
        e.notified_epoch - coalesce(e.reported_epoch, e.started_epoch) AS notice,
        (e.started_ymd - c.birth_ymd) / 10000 AS age,
        c.sex,
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
        -- No interview row means NOT_OFFERED, which is required.
        coalesce(r.outcome, 'NOT_OFFERED') <> 'NOT_REQUIRED' AS required,
        coalesce(r.outcome = 'ACCEPTED' AND r.completed_epoch IS NOT NULL, 0) AS completed,
        r.advice_given,
        r.child_engaged,
        r.reasons,
        r.risks
    FROM period_episode AS e
    JOIN children_child AS c ON c.id = e.child_id
    LEFT JOIN interviews_returninterview AS r ON r.episode_id = e.id
),
totals AS (
    SELECT
        count(*) AS episodes_total,
        count(*) FILTER (WHERE nth = 1) AS individuals_total,
        count(*) FILTER (WHERE sex = 'F') AS episodes_female,
        count(*) FILTER (WHERE sex = 'M') AS episodes_male,
        count(*) FILTER (WHERE grp = 1) AS episodes_group_ola,
        count(*) FILTER (WHERE grp = 2) AS episodes_group_lac,
        count(*) FILTER (WHERE grp = 3) AS episodes_group_cp,
        count(*) FILTER (WHERE grp = 4) AS episodes_group_cin,
        count(*) FILTER (WHERE grp = 5) AS episodes_group_none,
        count(*) FILTER (WHERE nth = child_episode_count AND grp = 1) AS individuals_group_ola,
        count(*) FILTER (WHERE nth = child_episode_count AND grp = 2) AS individuals_group_lac,
        count(*) FILTER (WHERE nth = child_episode_count AND grp = 3) AS individuals_group_cp,
        count(*) FILTER (WHERE nth = child_episode_count AND grp = 4) AS individuals_group_cin,
        count(*) FILTER (WHERE nth = child_episode_count AND grp = 5) AS individuals_group_none,
        count(*) FILTER (WHERE nth = 3) AS individuals_repeat,
        count(*) FILTER (WHERE duration < 14400) AS duration_under_4_hours,
        count(*) FILTER (WHERE grp >= 3 AND ended AND required) AS rhi_required_home,
        count(*) FILTER (WHERE grp >= 3 AND ended AND required AND completed)
            AS rhi_completed_home,
        count(*) FILTER (WHERE grp = 2 AND ended AND required) AS rhi_required_lac,
        count(*) FILTER (WHERE grp = 2 AND ended AND required AND completed) AS rhi_completed_lac,
        count(*) FILTER (
            WHERE grp = 2 AND ended AND required AND NOT completed AND advice_given
        ) AS rhi_advice_only_lac,
        count(*) FILTER (WHERE grp > 1 AND completed) AS rhi_completed_host,
        count(*) FILTER (WHERE grp > 1 AND completed AND child_engaged) AS rhi_engaged,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(reasons, ';BOUNDARIES;'))
            AS reason_boundaries,
        count(*) FILTER (
            WHERE grp > 1 AND completed AND instr(reasons, ';FAMILY_RELATIONSHIPS;')
        ) AS reason_family_relationships,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(reasons, ';PLACEMENT;'))
            AS reason_placement,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(reasons, ';FRIENDS;'))
            AS reason_friends,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(reasons, ';PARTNER;'))
            AS reason_partner,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(reasons, ';SEEING_FAMILY;'))
            AS reason_seeing_family,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(reasons, ';SCHOOL;'))
            AS reason_school,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(reasons, ';SUBSTANCES;'))
            AS reason_substances,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(reasons, ';MENTAL_HEALTH;'))
            AS reason_mental_health,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(reasons, ';EXPLOITATION;'))
            AS reason_exploitation,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(reasons, ';OTHER;'))
            AS reason_other,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(risks, ';CSE;')) AS risk_cse,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(risks, ';CCE;')) AS risk_cce,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(risks, ';RISKY_ADULTS;'))
            AS risk_risky_adults,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(risks, ';OFFENDING;'))
            AS risk_offending,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(risks, ';SUBSTANCES;'))
            AS risk_substances,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(risks, ';SELF_HARM;'))
            AS risk_self_harm,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(risks, ';TRAFFICKING;'))
            AS risk_trafficking,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(risks, ';ONLINE;'))
            AS risk_online,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(risks, ';RADICALISATION;'))
            AS risk_radicalisation,
        count(*) FILTER (WHERE grp > 1 AND completed AND instr(risks, ';OTHER;')) AS risk_other,
        -- Every child with an episode of group LAC had a LAC status of this authority in
        -- force that day, so these are all among lac_children.
        count(DISTINCT child_id) FILTER (WHERE grp = 2) AS lac_children_missing,
        count(notified_epoch) AS notifications_timed_missing,
        count(*) FILTER (WHERE notice <= 86400) AS notified_within_24_hours_missing,
        count(*) FILTER (WHERE notice > 86400 AND notice <= 259200)
            AS notified_24_to_72_hours_missing
    FROM ranked
),
looked_after AS (
    SELECT count(DISTINCT child_id) AS lac_children
    FROM children_legalstatus
    WHERE status = 'LAC'
      AND responsible_la IN ('', :own)
      AND start_date <= :last
      AND (end_date IS NULL OR end_date >= :first)
),
missing_meetings AS (
    SELECT count(*) AS mam_requested, count(held_on) AS mam_held
    FROM meetings_meeting
    WHERE requested_on BETWEEN :first AND :last AND kind = 'MISSING_MAM'
),
strategy AS (
    SELECT count(*) AS strategy_meetings, count(DISTINCT child_id) AS strategy_meeting_children
    FROM meetings_meeting
    WHERE held_on BETWEEN :first AND :last AND kind = 'STRATEGY'
),
referrals AS (
    SELECT
        count(*) AS referrals_total,
        count(*) FILTER (WHERE concern = 'CSE') AS referrals_concern_cse,
        count(*) FILTER (WHERE concern = 'CCE') AS referrals_concern_cce,
        count(*) FILTER (WHERE concern = 'BOTH') AS referrals_concern_both,
        count(*) FILTER (WHERE concern = 'OTHER') AS referrals_concern_other,
        count(*) FILTER (WHERE source = 'POLICE') AS referrals_source_police,
        count(*) FILTER (WHERE source = 'SOCIAL_CARE') AS referrals_source_social_care,
        count(*) FILTER (WHERE source = 'EDUCATION') AS referrals_source_education,
        count(*) FILTER (WHERE source = 'HEALTH') AS referrals_source_health,
        count(*) FILTER (WHERE source = 'EARLY_HELP') AS referrals_source_early_help,
        count(*) FILTER (WHERE source = 'YOUTH_JUSTICE') AS referrals_source_youth_justice,
        count(*) FILTER (WHERE source = 'VOLUNTARY') AS referrals_source_voluntary,
        count(*) FILTER (WHERE source = 'FAMILY') AS referrals_source_family,
        count(*) FILTER (WHERE source = 'ANONYMOUS') AS referrals_source_anonymous,
        count(*) FILTER (WHERE source = 'OTHER') AS referrals_source_other,
        count(*) FILTER (WHERE source = '') AS referrals_source_unknown,
        count(DISTINCT child_id) AS referral_children,
        count(
            DISTINCT CASE
                WHEN NOT EXISTS (
                    SELECT 1
                    FROM exploitation_referral AS earlier
                    WHERE earlier.child_id = referral.child_id AND earlier.received_on < :first
                ) THEN child_id
            END
        ) AS referral_children_new
    FROM exploitation_referral AS referral
    WHERE received_on BETWEEN :first AND :last
),
assessments AS (
    SELECT
        count(*) AS risk_assessments,
        count(*) FILTER (WHERE kind = 'CSE') AS risk_assessments_cse,
        count(*) FILTER (WHERE kind = 'CE') AS risk_assessments_ce
    FROM exploitation_riskassessment
    WHERE completed_on BETWEEN :first AND :last
),
panels AS (
    SELECT count(DISTINCT child_id) AS panel_children
    FROM exploitation_panellisting
    WHERE panel_date BETWEEN :first AND :last AND panel IN ('MACE', 'MASE')
),
population AS (
    -- The child population of the financial year in which the period starts (NULL if none).
    SELECT (
        SELECT population
        FROM reports_childpopulation
        WHERE financial_year = CAST(substr(:first, 1, 4) AS INTEGER) - (substr(:first, 6, 2) < '04')
    ) AS population
)
SELECT
    episodes_total,
    individuals_total,
    episodes_female,
    (200 * episodes_female + episodes_total) / nullif(2 * episodes_total, 0)
        AS episodes_female__percent,
    episodes_male,
    (200 * episodes_male + episodes_total) / nullif(2 * episodes_total, 0)
        AS episodes_male__percent,
    episodes_group_ola,
    (200 * episodes_group_ola + episodes_total) / nullif(2 * episodes_total, 0)
        AS episodes_group_ola__percent,
    episodes_group_lac,
    (200 * episodes_group_lac + episodes_total) / nullif(2 * episodes_total, 0)
        AS episodes_group_lac__percent,
    episodes_group_cp,
    (200 * episodes_group_cp + episodes_total) / nullif(2 * episodes_total, 0)
        AS episodes_group_cp__percent,
    episodes_group_cin,
    (200 * episodes_group_cin + episodes_total) / nullif(2 * episodes_total, 0)
        AS episodes_group_cin__percent,
    episodes_group_none,
    (200 * episodes_group_none + episodes_total) / nullif(2 * episodes_total, 0)
        AS episodes_group_none__percent,
    individuals_group_ola,
    (200 * individuals_group_ola + individuals_total) / nullif(2 * individuals_total, 0)
        AS individuals_group_ola__percent,
    individuals_group_lac,
    (200 * individuals_group_lac + individuals_total) / nullif(2 * individuals_total, 0)
        AS individuals_group_lac__percent,
    individuals_group_cp,
    (200 * individuals_group_cp + individuals_total) / nullif(2 * individuals_total, 0)
        AS individuals_group_cp__percent,
    individuals_group_cin,
    (200 * individuals_group_cin + individuals_total) / nullif(2 * individuals_total, 0)
        AS individuals_group_cin__percent,
    individuals_group_none,
    (200 * individuals_group_none + individuals_total) / nullif(2 * individuals_total, 0)
        AS individuals_group_none__percent,
    individuals_repeat,
    (200 * individuals_repeat + individuals_total) / nullif(2 * individuals_total, 0)
        AS individuals_repeat__percent,
    -- The most common age at each child's first episode; ties go to the younger age.
    (SELECT age FROM ranked WHERE nth = 1 GROUP BY age ORDER BY count(*) DESC, age LIMIT 1)
        AS age_peak,
    duration_under_4_hours,
    (200 * duration_under_4_hours + episodes_total) / nullif(2 * episodes_total, 0)
        AS duration_under_4_hours__percent,
    rhi_required_home,
    rhi_completed_home,
    (200 * rhi_completed_home + rhi_required_home) / nullif(2 * rhi_required_home, 0)
        AS rhi_completed_home__percent,
    rhi_required_lac,
    rhi_completed_lac,
    (200 * rhi_completed_lac + rhi_required_lac) / nullif(2 * rhi_required_lac, 0)
        AS rhi_completed_lac__percent,
    rhi_advice_only_lac,
    (200 * rhi_advice_only_lac + rhi_required_lac) / nullif(2 * rhi_required_lac, 0)
        AS rhi_advice_only_lac__percent,
    rhi_completed_host,
    rhi_engaged,
    (200 * rhi_engaged + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS rhi_engaged__percent,
    reason_boundaries,
    (200 * reason_boundaries + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS reason_boundaries__percent,
    reason_family_relationships,
    (200 * reason_family_relationships + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS reason_family_relationships__percent,
    reason_placement,
    (200 * reason_placement + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS reason_placement__percent,
    reason_friends,
    (200 * reason_friends + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS reason_friends__percent,
    reason_partner,
    (200 * reason_partner + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS reason_partner__percent,
    reason_seeing_family,
    (200 * reason_seeing_family + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS reason_seeing_family__percent,
    reason_school,
    (200 * reason_school + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS reason_school__percent,
    reason_substances,
    (200 * reason_substances + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS reason_substances__percent,
    reason_mental_health,
    (200 * reason_mental_health + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS reason_mental_health__percent,
    reason_exploitation,
    (200 * reason_exploitation + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS reason_exploitation__percent,
    reason_other,
    (200 * reason_other + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS reason_other__percent,
    risk_cse,
    (200 * risk_cse + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS risk_cse__percent,
    risk_cce,
    (200 * risk_cce + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS risk_cce__percent,
    risk_risky_adults,
    (200 * risk_risky_adults + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS risk_risky_adults__percent,
    risk_offending,
    (200 * risk_offending + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS risk_offending__percent,
    risk_substances,
    (200 * risk_substances + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS risk_substances__percent,
    risk_self_harm,
    (200 * risk_self_harm + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS risk_self_harm__percent,
    risk_trafficking,
    (200 * risk_trafficking + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS risk_trafficking__percent,
    risk_online,
    (200 * risk_online + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS risk_online__percent,
    risk_radicalisation,
    (200 * risk_radicalisation + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS risk_radicalisation__percent,
    risk_other,
    (200 * risk_other + rhi_completed_host) / nullif(2 * rhi_completed_host, 0)
        AS risk_other__percent,
    lac_children,
    lac_children_missing,
    (200 * lac_children_missing + lac_children) / nullif(2 * lac_children, 0)
        AS lac_children_missing__percent,
    notifications_timed_missing,
    notified_within_24_hours_missing,
    (200 * notified_within_24_hours_missing + notifications_timed_missing)
        / nullif(2 * notifications_timed_missing, 0) AS notified_within_24_hours_missing__percent,
    notified_24_to_72_hours_missing,
    (200 * notified_24_to_72_hours_missing + notifications_timed_missing)
        / nullif(2 * notifications_timed_missing, 0) AS notified_24_to_72_hours_missing__percent,
    -- Absences are left out of this report, so none has a notification time.
    0 AS notifications_timed_absent,
    0 AS notified_within_24_hours_absent,
    NULL AS notified_within_24_hours_absent__percent,
    mam_requested,
    mam_held,
    (200 * mam_held + mam_requested) / nullif(2 * mam_requested, 0) AS mam_held__percent,
    strategy_meetings,
    strategy_meeting_children,
    referrals_total,
    referrals_concern_cse,
    (200 * referrals_concern_cse + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_concern_cse__percent,
    referrals_concern_cce,
    (200 * referrals_concern_cce + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_concern_cce__percent,
    referrals_concern_both,
    (200 * referrals_concern_both + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_concern_both__percent,
    referrals_concern_other,
    (200 * referrals_concern_other + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_concern_other__percent,
    referrals_source_police,
    (200 * referrals_source_police + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_source_police__percent,
    referrals_source_social_care,
    (200 * referrals_source_social_care + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_source_social_care__percent,
    referrals_source_education,
    (200 * referrals_source_education + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_source_education__percent,
    referrals_source_health,
    (200 * referrals_source_health + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_source_health__percent,
    referrals_source_early_help,
    (200 * referrals_source_early_help + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_source_early_help__percent,
    referrals_source_youth_justice,
    (200 * referrals_source_youth_justice + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_source_youth_justice__percent,
    referrals_source_voluntary,
    (200 * referrals_source_voluntary + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_source_voluntary__percent,
    referrals_source_family,
    (200 * referrals_source_family + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_source_family__percent,
    referrals_source_anonymous,
    (200 * referrals_source_anonymous + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_source_anonymous__percent,
    referrals_source_other,
    (200 * referrals_source_other + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_source_other__percent,
    referrals_source_unknown,
    (200 * referrals_source_unknown + referrals_total) / nullif(2 * referrals_total, 0)
        AS referrals_source_unknown__percent,
    referral_children,
    referral_children_new,
    (200 * referral_children_new + referral_children) / nullif(2 * referral_children, 0)
        AS referral_children_new__percent,
    risk_assessments,
    risk_assessments_cse,
    (200 * risk_assessments_cse + risk_assessments) / nullif(2 * risk_assessments, 0)
        AS risk_assessments_cse__percent,
    risk_assessments_ce,
    (200 * risk_assessments_ce + risk_assessments) / nullif(2 * risk_assessments, 0)
        AS risk_assessments_ce__percent,
    panel_children,
    -- 10,000 x count / population, one decimal place half up; NULL without a population.
    (20 * 10000 * episodes_total + population) / (2 * population) / 10.0
        AS rate_episodes_per_10k,
    (20 * 10000 * individuals_total + population) / (2 * population) / 10.0
        AS rate_individuals_per_10k
FROM totals, looked_after, missing_meetings, strategy, referrals, assessments, panels, population
