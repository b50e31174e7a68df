"""Input limits said once: every text a person sends is checked here before work is done on it."""
from core.errors import UserError


def require_text(value, *, limit: int, empty: str, what: str = "The text",
                 error: type[UserError] = UserError) -> str:
    """`value` as a non-blank str of at most `limit` characters, or `error` with a message for a person."""
    if not isinstance(value, str) or not value.strip():
        raise error(empty)
    if len(value) > limit:
        raise error(too_long(what, len(value), limit))
    return value


def too_long(what: str, chars: int, limit: int) -> str:
    return (f"{what} has {chars:,} characters; the limit is {limit:,} "
            f"(about {limit // 6:,} words). Shorten it.")
