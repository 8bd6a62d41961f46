#   芙蓉区 12345 hotline, monthly assessment (bulletin of 2022-11,
#   docs/schemes.md). Four dimensions of items; each item starts at full
#   points and loses a fixed amount per counted ticket (the amounts are
#   assumed: the bulletin publishes only results). Total: the rounded sum
#   of the unrounded items plus manual bonus points. Units with no closure
#   and no revisit are left out; equal totals share a rank (1, 1, 1, 4).
ruleset
    id = furong-2022
    title = "芙蓉区12345政务服务便民热线工单办理考核"
    period = month
    total = round_sum
    bonus = bonus
    rank = competition
    exclude = "closed == 0 and revisited == 0"
    exclude_reason = "本月无办结、无回访"
    counters = "received closed revisited unresolved unsatisfied"
    tables
        town = 街道
        dept = 部门
    items
        sign_on_time
            label = 按时签收
            points = 5
            formula = "clamp0(5 - 0.1 * signed_late)"
        contact
            label = 及时联系
            points = 10
            formula = "clamp0(10 - 0.01 * contacted_late)"
        close_on_time
            label = 按时办结
            points = 5
            formula = "clamp0(5 - 0.1 * closed_late)"
        extension
            label = 延期办理
            points = 5
            formula = "clamp0(5 - 0.1 * extended)"
        rejection
            label = 工单驳回
            points = 5
            formula = "clamp0(5 - 0.01 * returned)"
        resolved
            label = 问题解决
            points = 20
            # A unit without revisits has no unresolved ticket to lose for.
            formula = "if(revisited > 0, 20 * (revisited - unresolved) / revisited, 20)"
        key_supervision
            label = 重点督办
            points = 5
            formula = "clamp0(5 - 0.5 * key_closed_late)"
        repeat_dispatch
            label = 重复交办
            points = 5
            formula = "clamp0(5 - 0.5 * repeat_closed_late)"
        sent_back
            label = 发回重办
            points = 5
            formula = "clamp0(5 - 0.2 * rework)"
        instant_answer
            label = 即问即答
            points = 10
            manual = 10
        knowledge_base
            label = 知识库建设
            points = 10
            manual = 10
        revisit_rating
            label = 回访评价
            points = 15
            formula = "clamp0(15 - 0.2 * unsatisfied)"
    dimensions
        response
            label = 诉求响应率
            items = "sign_on_time contact close_on_time extension rejection"
        resolution
            label = 问题解决率
            items = "resolved key_supervision repeat_dispatch sent_back"
        online
            label = 在线办结率
            items = "instant_answer knowledge_base"
        revisit
            label = 回访满意率
            items = "revisit_rating"
    below
        title = 问题解决率低于全区平均水平的单位
        rate = "(revisited - unresolved) / revisited"
        district = "(sum_revisited - sum_unresolved) / sum_revisited"
        when = "revisited > 0"
