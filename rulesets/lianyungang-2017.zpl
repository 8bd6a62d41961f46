#   连云港市 12345 hotline, monthly (bulletin of 2017-04, docs/schemes.md).
#   Rates as percentages with 2 decimals; the composite score's formula is
#   not published: the weights below are assumed and meant to be edited. A
#   unit with no cases in the month gets the mean composite of the units
#   that had cases. Also reported: full-score count and share, the average,
#   received tickets by channel and category, and each rate's change since
#   the previous month in percentage points.
ruleset
    id = lianyungang-2017
    title = "连云港市12345政府公共服务热线工单办理情况"
    period = month
    total = composite
    empty = "received == 0 and should_close == 0"
    rank = sequential
    tiebreak = closed
    counters = "received should_close closed closed_on_time first_time_closed"
    changes = "close_rate on_time_rate first_time_rate"
    breakdown = yes
    summary
        full_score = 100
    tables
        key_help = 重点帮扶
        key_service = 重点服务
        city = 市直·国企·部省属
        other_large = 其他·案件量较多
        other_small = 其他·案件量较少
    items
        close_rate
            label = 办结率
            points = 100
            formula = "100 * closed / should_close"
            round = r2
            suffix = "%"
        on_time_rate
            label = 按时办结率
            points = 100
            formula = "100 * closed_on_time / should_close"
            round = r2
            suffix = "%"
        first_time_rate
            label = 一次办结率
            points = 100
            formula = "100 * first_time_closed / closed"
            round = r2
            suffix = "%"
        composite
            label = 综合得分
            points = 100
            formula = "0.4 * close_rate + 0.4 * on_time_rate + 0.2 * first_time_rate"
            round = r2
