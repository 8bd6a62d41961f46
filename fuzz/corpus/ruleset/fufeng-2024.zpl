#   扶风县 12345 hotline, quarterly assessment (bulletin for 2024 Q4,
#   docs/schemes.md). Items rounded half up to 2 decimals, total the rounded
#   sum; units listed in registry order, not ranked. The note column names,
#   per month of the quarter, the late closures and the tickets sent back
#   for rework. The county mailbox (县长信箱) arrives on the mayor_mailbox
#   channel.
ruleset
    id = fufeng-2024
    title = "扶风县12345政务服务便民热线工单办理情况通报"
    period = quarter
    total = round_sum
    rank = none
    counters = "should_close closed closed_on_time rework returned_late"
    tables
        town = 镇（街道）
        dept = 县直部门及单位
    items
        closure
            label = 办结
            points = 25
            formula = "25 * closed / should_close"
            round = r2
        on_time
            label = 按期办结
            points = 35
            formula = "35 * closed_on_time / should_close"
            round = r2
        rework
            label = 退回重办
            points = 10
            formula = "10 * (1 - rework / closed)"
            round = r2
        overdue_return
            label = 逾期退单
            points = 5
            # Assumed rate: the bulletin shows only full marks.
            formula = "clamp0(5 - 0.5 * returned_late)"
            round = r2
        satisfaction
            label = 满意度
            points = 10
            # Assumed as 金台区 2025: the bulletin shows only full marks.
            formula = "clamp0(10 - 0.02 * unsatisfied)"
            round = r2
        knowledge_base
            label = 知识库维护
            points = 10
            manual = 10
            round = r2
        organisation
            label = 组织保障
            points = 5
            manual = 5
            round = r2
    notes
        closed_late = "{m}月逾期{n}件"
        rework = "{m}月退回重办{n}件"
    channel_tables
        mayor_mailbox
            title = 县长信箱
            columns
                should_close
                    label = 应办结
                    counter = should_close
                closed
                    label = 办结
                    counter = closed
                closure_rate
                    label = 办结率
                    formula = "100 * closed / should_close"
                    round = r2
                    suffix = "%"
                closed_late
                    label = 逾期办结
                    counter = closed_late
                days_late
                    label = 逾期天数
                    counter = days_late
                on_time_rate
                    label = 按期办结率
                    formula = "100 * closed_on_time / should_close"
                    round = r2
                    suffix = "%"
