#   金台区 12345 hotline, monthly assessment, 2025 edition (docs/schemes.md).
#   Every item is shown truncated to 2 decimals and the total is the sum of
#   the shown items, as in the bulletin of 2025-07.
ruleset
    id = jintai-2025
    title = "金台区12345政务服务便民热线工单办理情况"
    period = month
    total = sum_shown
    exclude = "should_close < 5"
    exclude_reason = "应办结不足5件"
    rank = sequential
    tiebreak = closed
    counters = "should_close closed closed_on_time returned_late closed_late unsatisfied rework"
    tables
        town = 镇街
        dept = 部门
    items
        closure
            label = 办结
            points = 30
            formula = "30 * closed / should_close"
            round = t2
        on_time
            label = 按期办结
            points = 30
            formula = "30 * closed_on_time / should_close"
            round = t2
        overdue_return
            label = 逾期退单
            points = 10
            formula = "clamp0(10 - 0.5 * returned_late)"
            round = t2
        alert
            label = 告警工单
            points = 5
            formula = "clamp0(5 - 0.5 * closed_late)"
            round = t2
        workload
            label = 工作量
            points = 5
            formula = "5 * closed / max_closed"
            round = t2
        satisfaction
            label = 满意度
            points = 10
            formula = "clamp0(10 - 0.02 * unsatisfied)"
            round = t2
        rework
            label = 返工
            points = 10
            formula = "clamp0(10 - 0.5 * rework)"
            round = t2
