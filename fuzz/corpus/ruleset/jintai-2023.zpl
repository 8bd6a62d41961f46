#   金台区 12345 hotline, monthly assessment, 2023 edition (docs/schemes.md).
#   Items are shown rounded half up to 2 decimals; the total is the rounded
#   sum of the unrounded items. No minimum volume; one table of all units,
#   equal totals ranked by closed tickets, then registry order. The mayor's
#   mailbox (市长信箱) table gives the on-time rate as a whole percent.
ruleset
    id = jintai-2023
    title = "金台区12345政务服务便民热线工单办理情况（2023版）"
    period = month
    total = round_sum
    rank = sequential
    tiebreak = closed
    counters = "should_close closed closed_on_time returned_late overdue_open rework"
    tables
        all = 全部单位
    items
        closure
            label = 办结
            points = 35
            formula = "35 * closed / should_close"
            round = r2
        on_time
            label = 按期办结
            points = 40
            formula = "40 * closed_on_time / closed"
            round = r2
        overdue_return
            label = 逾期退单
            points = 5
            formula = "clamp0(5 - 0.5 * returned_late)"
            round = r2
        alert
            label = 告警工单
            points = 10
            formula = "clamp0(10 - 10 * overdue_open)"
            round = r2
        workload
            label = 工作量
            points = 5
            formula = "5 * closed / max_closed"
            round = r2
        rework
            label = 返工
            points = 5
            # The rate per rework is not published: assumed 0.5 as in 2025.
            formula = "clamp0(5 - 0.5 * rework)"
            round = r2
    channel_tables
        mayor_mailbox
            title = 市长信箱
            columns
                should_close
                    label = 应办结
                    counter = should_close
                closed_on_time
                    label = 按期办结
                    counter = closed_on_time
                closed
                    label = 办结
                    counter = closed
                on_time_rate
                    label = 按期办结率
                    formula = "100 * closed_on_time / should_close"
                    round = pct0
                    suffix = "%"
