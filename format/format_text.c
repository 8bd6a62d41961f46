/*  format_text: the words of the bulletins.

    The report JSON speaks to programs: counter ids, channel and category
    tokens, RFC 3339 times, "2025-07", and the exclusion rule as a formula
    when the ruleset gives no reason. A bulletin speaks to people, in
    Chinese. Every output form for people takes its words from here, so
    that the table, the workbook and the HTML page say the same thing.
*/
#include "format_internal.h"

#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One id and what the bulletins call it. */
typedef struct {
    const char *id;    /* as the report JSON spells it */
    const char *label; /* as the bulletin prints it */
} s_label_t;

/* Counter ids with the headers the bulletins use. */
static const s_label_t s_counters[] = {
    {"should_close", "应办结"},
    {"closed", "办结数"},
    {"closed_on_time", "按期办结数"},
    {"returned_late", "逾期退单"},
    {"closed_late", "逾期办结"},
    {"unsatisfied", "不满意"},
    {"rework", "返工"},
    {"received", "受理"},
    {"returned", "退单"},
    {"alerts", "告警"},
    {"overdue_open", "逾期未办结"},
    {"revisited", "回访"},
    {"unresolved", "未解决"},
    {"signed_late", "超时签收"},
    {"contacted_late", "未及时联系"},
    {"extended", "延期"},
    {"first_time_closed", "一次办结"},
    {"key_closed_late", "重点督办逾期"},
    {"repeat_closed_late", "重复交办逾期"},
    {"days_late", "逾期天数"},
};

/* Intake channels (docs/events.md). */
static const s_label_t s_channels[] = {
    {"hotline", "12345热线"}, {"web", "网站"},
    {"wechat", "微信"},       {"app", "手机客户端"},
    {"email", "电子邮件"},    {"mayor_mailbox", "市长信箱"},
};

/* Subject categories the generators and the bulletins use. */
static const s_label_t s_categories[] = {
    {"property", "物业管理"},
    {"traffic", "交通出行"},
    {"environment", "环境保护"},
    {"housing", "住房保障"},
    {"consumer", "消费维权"},
    {"education", "教育"},
    {"social_security", "社会保障"},
    {"admin_service", "政务服务"},
    {"agriculture", "农业农村"},
    {"culture", "文化旅游"},
    {"health", "医疗卫生"},
    {"land", "自然资源"},
    {"medical_insurance", "医疗保障"},
    {"public_security", "公共安全"},
    {"other", "其他"},
};

static const char *
s_lookup (const s_label_t *labels, size_t count, const char *id)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp (labels[i].id, id) == 0)
            return labels[i].label;
    return NULL;
}

#define S_LOOKUP(table, id) s_lookup (table, sizeof table / sizeof table[0], id)

const char *
format__counter_label (const char *id)
{
    const char *label = S_LOOKUP (s_counters, id);
    return label ? label : id;
}

const char *
format__share_label (const cJSON *entry, bool category)
{
    const char *label = format__text (entry, "label");
    if (*label)
        return label;
    const char *id = format__text (entry, "id");
    label = category ? S_LOOKUP (s_categories, id) : S_LOOKUP (s_channels, id);
    return label ? label : id;
}

//  --------------------------------------------------------------------------
//  Periods and times

void
format__period_text (const char *period, char *buf, size_t size)
{
    static const char *const quarters[] = {"一", "二", "三", "四"};
    proto_period_t parsed;
    if (proto_period_parse (period, &parsed) != 0)
        snprintf (buf, size, "%s", period);
    else if (parsed.kind == PROTO_MONTH)
        snprintf (buf, size, "%d年%d月", parsed.code / 12,
                  parsed.code % 12 + 1);
    else
        snprintf (buf, size, "%d年第%s季度", parsed.code / 4,
                  quarters[parsed.code % 4]);
}

/* The time in Asia/Shanghai, where every bulletin is published: the
   report's as_of carries +08:00, but any offset is converted. */
void
format__time_text (const char *rfc3339, char *buf, size_t size)
{
    int64_t ms;
    if (proto_time_parse (rfc3339, &ms) != 0) {
        snprintf (buf, size, "%s", rfc3339);
        return;
    }
    int64_t local = ms / 1000 + 8 * 3600;
    int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int64_t seconds = local - days * 86400;
    int64_t year;
    int month, day;
    proto_civil_from_days (days, &year, &month, &day);
    snprintf (buf, size, "%lld年%d月%d日 %02d:%02d", (long long)year, month,
              day, (int)(seconds / 3600), (int)(seconds / 60 % 60));
}

//  --------------------------------------------------------------------------
//  Exclusion reasons

/* Appends text to buf (size bytes), cutting it when full. */
static void
s_append (char *buf, size_t size, const char *text)
{
    size_t used = strlen (buf);
    if (used + 1 < size)
        snprintf (buf + used, size - used, "%s", text);
}

/* Says one comparison "counter op number" in words; returns -1 when the
   text is not one. A label ending in 数 reads better without it after
   无/有 ("无办结", not "无办结数"). */
static int
s_say_comparison (const char *text, char *buf, size_t size)
{
    char name[64], op[3], number[32], extra;
    if (sscanf (text, " %63[a-z_] %2[<>=!] %31[0-9.] %c", name, op, number,
                &extra) != 3)
        return -1;
    const char *label = S_LOOKUP (s_counters, name);
    if (!label)
        return -1;
    char noun[64];
    snprintf (noun, sizeof noun, "%s", label);
    size_t length = strlen (noun);
    if (length > 3 && strcmp (noun + length - 3, "数") == 0)
        noun[length - 3] = '\0';
    bool zero = strtod (number, NULL) == 0;
    char said[160];
    if (strcmp (op, "<") == 0)
        snprintf (said, sizeof said, "%s不足%s件", label, number);
    else if (strcmp (op, "<=") == 0)
        snprintf (said, sizeof said, "%s不超过%s件", label, number);
    else if (strcmp (op, ">") == 0)
        snprintf (said, sizeof said, "%s超过%s件", label, number);
    else if (strcmp (op, ">=") == 0)
        snprintf (said, sizeof said, "%s达到%s件", label, number);
    else if (strcmp (op, "==") == 0)
        snprintf (said, sizeof said, zero ? "无%s" : "%s为%s件",
                  zero ? noun : label, number);
    else if (strcmp (op, "!=") == 0 && zero)
        snprintf (said, sizeof said, "有%s", noun);
    else
        return -1;
    s_append (buf, size, said);
    return 0;
}

void
format__reason_text (const char *reason, char *buf, size_t size)
{
    /* Comparisons joined by "and" (、) or by "or" (或), one kind only;
       anything else is shown as written. */
    bool all = strstr (reason, " and ") != NULL;
    bool any = strstr (reason, " or ") != NULL;
    const char *joint = all ? " and " : " or ";
    buf[0] = '\0';
    if ((all && any) || strlen (reason) >= 512)
        goto as_written;
    char part[512];
    for (const char *at = reason; *at;) {
        const char *end = strstr (at, joint);
        size_t length = end ? (size_t)(end - at) : strlen (at);
        memcpy (part, at, length);
        part[length] = '\0';
        if (at != reason)
            s_append (buf, size, all ? "、" : "或");
        if (s_say_comparison (part, buf, size) != 0)
            goto as_written;
        at += length + (end ? strlen (joint) : 0);
    }
    if (*buf)
        return;
as_written:
    snprintf (buf, size, "%s", reason);
}
