/*  rules_expr: ruleset formulas, compiled once to a stack program.

    Grammar (lowest precedence first):
      expr  := and ("or" and)*
      and   := cmp ("and" cmp)*
      cmp   := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
      sum   := prod (("+" | "-") prod)*
      prod  := unary (("*" | "/") unary)*
      unary := "-" unary | "not" unary | atom
      atom  := number | name | name "(" expr ("," expr)* ")" | "(" expr ")"
    Functions: clamp0(x), min(a, b), max(a, b), abs(x), if(c, a, b).
    Comparisons and logic give 1 or 0.

    Compilation resolves every name to a variable slot, so evaluation is a
    loop over an array with no lookups and no allocation. */
#include "rules_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    OP_CONST,
    OP_VAR,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_NEG,
    OP_NOT,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_EQ,
    OP_NE,
    OP_AND,
    OP_OR,
    OP_CLAMP0,
    OP_MIN,
    OP_MAX,
    OP_ABS,
    OP_IF
} s_op_t;

typedef struct {
    s_op_t op;    /* operation */
    int slot;     /* OP_VAR: variable slot */
    double value; /* OP_CONST: the constant */
} s_instr_t;

#define PROGRAM_MAX 256
#define STACK_MAX   64
/* Brackets, unary signs and calls nest the parser's recursion: bounded,
   so a hostile formula is refused instead of overflowing the C stack. */
#define NESTING_MAX 64

struct _rules_expr_t {
    s_instr_t code[PROGRAM_MAX]; /* the program, postfix */
    int size;                    /* instructions used */
};

/* Parser state: one pass, recursive descent, emitting postfix. */
typedef struct {
    const char *text;          /* the formula */
    const char *at;            /* next character */
    rules_expr_t *expr;        /* program being built */
    rules_resolve_fn *resolve; /* name -> slot */
    void *arg;                 /* for resolve */
    char *err;                 /* first error, 256 bytes */
    int depth;                 /* stack depth the program reaches */
    int max_depth;             /* deepest */
    int nesting;               /* recursion depth of the parser now */
    bool failed;               /* an error was reported */
} s_parser_t;

static void
s_fail (s_parser_t *self, const char *what)
{
    if (self->failed)
        return;
    self->failed = true;
    snprintf (self->err, 256, "%s at column %d of \"%s\"", what,
              (int)(self->at - self->text) + 1, self->text);
}

static void
s_emit (s_parser_t *self, s_op_t op, int slot, double value, int pops,
        int pushes)
{
    if (self->expr->size >= PROGRAM_MAX) {
        s_fail (self, "formula too long");
        return;
    }
    self->expr->code[self->expr->size++] = (s_instr_t){op, slot, value};
    self->depth += pushes - pops;
    if (self->depth > self->max_depth)
        self->max_depth = self->depth;
}

static void
s_skip (s_parser_t *self)
{
    while (isspace ((unsigned char)*self->at))
        self->at++;
}

static bool
s_accept (s_parser_t *self, const char *token)
{
    s_skip (self);
    size_t n = strlen (token);
    if (strncmp (self->at, token, n) != 0)
        return false;
    /* A keyword must not be the start of a longer name. */
    if (isalpha ((unsigned char)token[0]) &&
        (isalnum ((unsigned char)self->at[n]) || self->at[n] == '_'))
        return false;
    self->at += n;
    return true;
}

static void s_expr (s_parser_t *self);

static void
s_call (s_parser_t *self, const char *name)
{
    static const struct {
        const char *name;
        s_op_t op;
        int args;
    } fns[] = {{"clamp0", OP_CLAMP0, 1},
               {"min", OP_MIN, 2},
               {"max", OP_MAX, 2},
               {"abs", OP_ABS, 1},
               {"if", OP_IF, 3}};
    int f = -1;
    for (int i = 0; i < (int)(sizeof (fns) / sizeof (fns[0])); i++)
        if (strcmp (fns[i].name, name) == 0)
            f = i;
    if (f < 0) {
        char what[128];
        snprintf (what, sizeof (what), "unknown function %s", name);
        s_fail (self, what);
        return;
    }
    int args = 0;
    do {
        s_expr (self);
        args++;
    } while (!self->failed && s_accept (self, ","));
    if (!self->failed && !s_accept (self, ")"))
        s_fail (self, "expected )");
    if (!self->failed && args != fns[f].args) {
        char what[128];
        snprintf (what, sizeof (what), "%s takes %d argument%s", name,
                  fns[f].args, fns[f].args > 1 ? "s" : "");
        s_fail (self, what);
    }
    s_emit (self, fns[f].op, 0, 0, fns[f].args, 1);
}

static void
s_atom (s_parser_t *self)
{
    s_skip (self);
    const char *start = self->at;
    if (isdigit ((unsigned char)*start) || *start == '.') {
        char *end;
        double value = strtod (start, &end);
        if (end == start || !isfinite (value)) {
            s_fail (self, "bad number");
            return;
        }
        self->at = end;
        s_emit (self, OP_CONST, 0, value, 0, 1);
        return;
    }
    if (isalpha ((unsigned char)*start) || *start == '_') {
        while (isalnum ((unsigned char)*self->at) || *self->at == '_')
            self->at++;
        char name[64];
        size_t n = (size_t)(self->at - start);
        if (n >= sizeof (name)) {
            s_fail (self, "name too long");
            return;
        }
        memcpy (name, start, n);
        name[n] = 0;
        if (s_accept (self, "(")) {
            s_call (self, name);
            return;
        }
        int slot = self->resolve (name, self->arg);
        if (slot < 0) {
            char what[128];
            self->at = start;
            snprintf (what, sizeof (what), "unknown name %s", name);
            s_fail (self, what);
            return;
        }
        s_emit (self, OP_VAR, slot, 0, 0, 1);
        return;
    }
    if (s_accept (self, "(")) {
        s_expr (self);
        if (!self->failed && !s_accept (self, ")"))
            s_fail (self, "expected )");
        return;
    }
    s_fail (self, *start ? "unexpected character" : "unexpected end");
}

static void
s_unary (s_parser_t *self)
{
    if (++self->nesting > NESTING_MAX) {
        s_fail (self, "formula nested too deeply");
        self->nesting--;
        return;
    }
    if (s_accept (self, "-")) {
        s_unary (self);
        s_emit (self, OP_NEG, 0, 0, 1, 1);
    } else if (s_accept (self, "not") || s_accept (self, "!")) {
        s_unary (self);
        s_emit (self, OP_NOT, 0, 0, 1, 1);
    } else
        s_atom (self);
    self->nesting--;
}

/* True when the code emitted since `start` reads no variable and
   evaluates to zero: a divisor that is zero whatever the counters. */
static bool
s_constant_zero (s_parser_t *self, int start)
{
    rules_expr_t slice;
    slice.size = 0;
    for (int i = start; i < self->expr->size; i++) {
        if (self->expr->code[i].op == OP_VAR)
            return false;
        slice.code[slice.size++] = self->expr->code[i];
    }
    return slice.size > 0 && rules_expr_eval (&slice, NULL) == 0;
}

static void
s_prod (s_parser_t *self)
{
    s_unary (self);
    while (!self->failed) {
        if (s_accept (self, "*")) {
            s_unary (self);
            s_emit (self, OP_MUL, 0, 0, 2, 1);
        } else if (s_accept (self, "/")) {
            int start = self->expr->size;
            s_unary (self);
            if (!self->failed && s_constant_zero (self, start))
                s_fail (self, "division by a constant zero");
            s_emit (self, OP_DIV, 0, 0, 2, 1);
        } else
            break;
    }
}

static void
s_sum (s_parser_t *self)
{
    s_prod (self);
    while (!self->failed) {
        if (s_accept (self, "+")) {
            s_prod (self);
            s_emit (self, OP_ADD, 0, 0, 2, 1);
        } else if (s_accept (self, "-")) {
            s_prod (self);
            s_emit (self, OP_SUB, 0, 0, 2, 1);
        } else
            break;
    }
}

static void
s_cmp (s_parser_t *self)
{
    s_sum (self);
    /* Two-character operators first so "<=" is not read as "<". */
    static const struct {
        const char *token;
        s_op_t op;
    } ops[] = {{"<=", OP_LE}, {">=", OP_GE}, {"==", OP_EQ},
               {"!=", OP_NE}, {"<", OP_LT},  {">", OP_GT}};
    for (int i = 0; !self->failed && i < 6; i++)
        if (s_accept (self, ops[i].token)) {
            s_sum (self);
            s_emit (self, ops[i].op, 0, 0, 2, 1);
            break;
        }
}

static void
s_and (s_parser_t *self)
{
    s_cmp (self);
    while (!self->failed && (s_accept (self, "and") || s_accept (self, "&&"))) {
        s_cmp (self);
        s_emit (self, OP_AND, 0, 0, 2, 1);
    }
}

static void
s_expr (s_parser_t *self)
{
    s_and (self);
    while (!self->failed && (s_accept (self, "or") || s_accept (self, "||"))) {
        s_and (self);
        s_emit (self, OP_OR, 0, 0, 2, 1);
    }
}

rules_expr_t *
rules_expr_compile (const char *text, rules_resolve_fn *resolve, void *arg,
                    char *err)
{
    rules_expr_t *expr = calloc (1, sizeof (*expr));
    if (!expr) {
        snprintf (err, 256, "out of memory");
        return NULL;
    }
    s_parser_t parser = {text, text, expr, resolve, arg, err, 0, 0, 0, false};
    s_expr (&parser);
    s_skip (&parser);
    if (!parser.failed && *parser.at)
        s_fail (&parser, "unexpected text");
    if (!parser.failed && parser.max_depth > STACK_MAX)
        s_fail (&parser, "formula nested too deeply");
    if (parser.failed) {
        free (expr);
        return NULL;
    }
    return expr;
}

void
rules_expr_destroy (rules_expr_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

bool
rules_expr_uses (const rules_expr_t *self, int slot)
{
    for (int i = 0; i < self->size; i++)
        if (self->code[i].op == OP_VAR && self->code[i].slot == slot)
            return true;
    return false;
}

double
rules_expr_eval (const rules_expr_t *self, const double *vars)
{
    double stack[STACK_MAX];
    int sp = 0;
    for (int i = 0; i < self->size; i++) {
        const s_instr_t *in = &self->code[i];
        double b = sp > 0 ? stack[sp - 1] : 0;
        double a = sp > 1 ? stack[sp - 2] : 0;
        switch (in->op) {
        case OP_CONST:
            stack[sp++] = in->value;
            continue;
        case OP_VAR:
            stack[sp++] = vars[in->slot];
            continue;
        case OP_NEG:
            stack[sp - 1] = -b;
            continue;
        case OP_NOT:
            stack[sp - 1] = b == 0;
            continue;
        case OP_CLAMP0:
            stack[sp - 1] = b > 0 ? b : 0;
            continue;
        case OP_ABS:
            stack[sp - 1] = fabs (b);
            continue;
        case OP_IF:
            /* Stack: cond, then, else. */
            sp -= 2;
            stack[sp - 1] = stack[sp - 1] != 0 ? a : b;
            continue;
        default:
            break;
        }
        double r = 0;
        switch (in->op) {
        case OP_ADD:
            r = a + b;
            break;
        case OP_SUB:
            r = a - b;
            break;
        case OP_MUL:
            r = a * b;
            break;
        case OP_DIV:
            r = b != 0 ? a / b : 0;
            break;
        case OP_LT:
            r = a < b;
            break;
        case OP_LE:
            r = a <= b;
            break;
        case OP_GT:
            r = a > b;
            break;
        case OP_GE:
            r = a >= b;
            break;
        case OP_EQ:
            r = a == b;
            break;
        case OP_NE:
            r = a != b;
            break;
        case OP_AND:
            r = a != 0 && b != 0;
            break;
        case OP_OR:
            r = a != 0 || b != 0;
            break;
        case OP_MIN:
            r = a < b ? a : b;
            break;
        case OP_MAX:
            r = a > b ? a : b;
            break;
        default:
            break;
        }
        stack[--sp - 1] = r;
    }
    return sp > 0 ? stack[sp - 1] : 0;
}

int
rules_resolve_counter (const char *name, void *arg)
{
    (void)arg;
    int c = rules_counter_lookup (name);
    if (c >= 0)
        return c;
    static const char *prefixes[3] = {"max_", "mean_", "sum_"};
    for (int p = 0; p < 3; p++) {
        size_t n = strlen (prefixes[p]);
        if (strncmp (name, prefixes[p], n) == 0 &&
            (c = rules_counter_lookup (name + n)) >= 0)
            return RULES_VAR_AGG + 3 * c + p;
    }
    return -1;
}
