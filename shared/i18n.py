"""Field errors in the caller's language (docs/api-conventions.md "Bodies and errors").

Pydantic's own errors are translated from their error type (``PYDANTIC_ZH``, with the error's context
filled in); English stays pydantic's message. A validator of ours raises ``custom_error`` with its
message in both languages. Either way a field error carries both, and the problem is rendered in the
language ``shared.errors.negotiate_language`` chose. Imports no web framework, so rules and the
``kjt`` tool use it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic_core import PydanticCustomError

from shared.errors import field_error

# The context key that carries a custom error's Chinese template next to its English one.
ZH_TEMPLATE = "message_zh"

# Codes the platform gives some of pydantic's error types (the rest keep pydantic's type as their code).
CODES = {"missing": "required", "extra_forbidden": "unknown_field"}

# Every error type pydantic knows (tests/shared/test_i18n.py fails when an upgrade adds one). Templates
# take the error's context by name, as pydantic's own do; parts of pydantic's English that only a Python
# programmer reads (an exception's text, a class name) are left out.
PYDANTIC_ZH: Mapping[str, str] = {
    "no_such_attribute": "对象没有属性“{attribute}”",
    "json_invalid": "不是有效的 JSON",
    "json_type": "JSON 输入应为字符串或字节",
    "needs_python_object": "无法从 JSON 校验“{method_name}”",
    "recursion_loop": "检测到循环引用",
    "recursion_depth_exceeded": "嵌套层级过深",
    "missing": "必填",
    "frozen_field": "该字段不能修改",
    "frozen_instance": "该对象不能修改",
    "extra_forbidden": "不允许的字段",
    "invalid_key": "键应为字符串",
    "get_attribute_error": "读取属性时出错",
    "model_type": "应为对象（字典）",
    "model_attributes_type": "应为对象（字典）",
    "dataclass_type": "应为对象（字典）",
    "dataclass_exact_type": "应为对象",
    "named_tuple_type": "应为数组或对象",
    "default_factory_not_called": "其他字段有误，无法计算默认值",
    "none_required": "应为 null",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "finite_number": "应为有限数值",
    "too_short": "至少 {min_length} 项，实际 {actual_length} 项",
    "too_long": "至多 {max_length} 项",
    "iterable_type": "应为数组",
    "iteration_error": "遍历时出错",
    "string_type": "应为字符串",
    "string_unicode": "应为有效的 Unicode 字符串",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求（{pattern}）",
    "string_not_ascii": "只能包含 ASCII 字符",
    "enum": "应为 {expected}",
    "dict_type": "应为对象（字典）",
    "frozen_dict_type": "应为对象（字典）",
    "ordered_dict_type": "应为对象（字典）",
    "counter_type": "应为对象（字典）",
    "mapping_type": "应为对象（字典）",
    "list_type": "应为数组",
    "deque_type": "应为数组",
    "tuple_type": "应为数组",
    "set_type": "应为数组（集合）",
    "set_item_not_hashable": "集合中的元素无效",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值（true 或 false）",
    "int_type": "应为整数",
    "int_parsing": "应为整数，无法将字符串解析为整数",
    "int_parsing_size": "整数过大",
    "int_from_float": "应为整数，不能有小数部分",
    "float_type": "应为数值",
    "float_parsing": "应为数值，无法将字符串解析为数值",
    "bytes_type": "应为字节串",
    "bytes_too_short": "至少 {min_length} 个字节",
    "bytes_too_long": "至多 {max_length} 个字节",
    "bytes_invalid_encoding": "应为有效的 {encoding} 编码",
    "value_error": "值无效：{error}",
    "assertion_error": "值无效：{error}",
    "literal_error": "应为 {expected}",
    "missing_sentinel_error": "应为 MISSING 标记",
    "ellipsis_error": "应为 Ellipsis",
    "date_type": "应为有效日期",
    "date_parsing": "应为 YYYY-MM-DD 格式的有效日期",
    "date_from_datetime_parsing": "应为有效的日期或时间",
    "date_from_datetime_inexact": "应为日期，不能带时刻",
    "date_past": "应为过去的日期",
    "date_future": "应为将来的日期",
    "time_type": "应为有效时刻",
    "time_parsing": "应为有效的时刻格式",
    "datetime_type": "应为有效的日期时间",
    "datetime_parsing": "应为有效的日期时间（RFC 3339）",
    "datetime_object_invalid": "日期时间无效",
    "datetime_from_date_parsing": "应为有效的日期时间或日期",
    "datetime_past": "应为过去的时间",
    "datetime_future": "应为将来的时间",
    "timezone_naive": "不能带时区",
    "timezone_aware": "应带时区（如 +08:00）",
    "timezone_offset": "时区偏移应为 {tz_expected}，实际为 {tz_actual}",
    "time_delta_type": "应为有效的时长",
    "time_delta_parsing": "应为有效的时长",
    "frozen_set_type": "应为数组（集合）",
    "is_instance_of": "类型不符",
    "is_subclass_of": "类型不符",
    "callable_type": "应为可调用对象",
    "union_tag_invalid": "“{discriminator}”的值“{tag}”无效，应为 {expected_tags}",
    "union_tag_not_found": "缺少用于区分类型的“{discriminator}”",
    "arguments_type": "参数应为数组或对象",
    "missing_argument": "缺少必需的参数",
    "unexpected_keyword_argument": "不允许的参数",
    "missing_keyword_only_argument": "缺少必需的参数",
    "unexpected_positional_argument": "不允许的参数",
    "missing_positional_only_argument": "缺少必需的参数",
    "multiple_argument_values": "参数重复",
    "url_type": "应为 URL 字符串",
    "url_parsing": "应为有效的 URL",
    "url_syntax_violation": "URL 不符合语法规则",
    "url_too_long": "URL 至多 {max_length} 个字符",
    "url_scheme": "URL 协议应为 {expected_schemes}",
    "uuid_type": "应为 UUID 字符串",
    "uuid_parsing": "应为有效的 UUID",
    "uuid_version": "应为第 {expected_version} 版 UUID",
    "decimal_type": "应为数值或数值字符串",
    "decimal_parsing": "应为有效的十进制数",
    "decimal_max_digits": "总位数至多 {max_digits} 位",
    "decimal_max_places": "小数至多 {decimal_places} 位",
    "decimal_whole_digits": "整数部分至多 {whole_digits} 位",
    "fraction_type": "应为数值或分数字符串",
    "fraction_parsing": "应为有效的分数",
    "complex_type": "应为复数",
    "complex_str_parsing": "应为有效的复数字符串",
}


def fill(template: str, context: Mapping[str, Any] | None) -> str:
    """``template`` with each ``{name}`` replaced by the context's value, as pydantic fills its own."""
    for name, value in (context or {}).items():
        if name != ZH_TEMPLATE:
            template = template.replace("{" + name + "}", _zh_value(value))
    return template


def _zh_value(value: Any) -> str:
    # pydantic lists the allowed values as "'a', 'b' or 'c'"
    return str(value).replace("', '", "'、'").replace("' or '", "' 或 '")


def custom_error(code: str, zh: str, en: str, **context: Any) -> PydanticCustomError:
    """A validator's error in both languages (raise it); ``{name}`` in either takes ``context[name]``.

    ``code`` is the error's stable code in ``errors[].code``."""
    return PydanticCustomError(code, en, {**context, ZH_TEMPLATE: zh})


def message_zh(error: Mapping[str, Any]) -> str:
    """The Chinese message of one of pydantic's errors (``ValidationError.errors()``)."""
    context = error.get("ctx") or {}
    template = context.get(ZH_TEMPLATE) or PYDANTIC_ZH.get(str(error.get("type")))
    if template is None:
        return str(error.get("msg", ""))
    return fill(str(template), context)


def _field_path(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:] or parts
    return ".".join(parts)


def field_errors(errors: Iterable[Mapping[str, Any]], limit: int = 50) -> list[dict[str, str]]:
    """Pydantic's errors as the platform's field errors, each with its message in both languages."""
    out: list[dict[str, str]] = []
    for error in errors:
        if len(out) >= limit:
            break
        kind = str(error.get("type", "invalid"))
        out.append(
            field_error(
                _field_path(error.get("loc", ())) or "value",
                CODES.get(kind, kind),
                message_zh(error)[:300],
                str(error.get("msg", ""))[:300],
            )
        )
    return out
