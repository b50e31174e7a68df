"""Translation between English and Chinese (core.translate.translator), streamed.

    from core.translate import translate_stream
    for update in translate_stream("今天天气很好。"):
        print(update.text)
"""
from core.errors import TranslateError
from core.translate.translator import (DIRECTIONS, LANGUAGES, MAX_CHARS, TranslationUpdate, detect, translate,
                                       translate_stream)

__all__ = ["DIRECTIONS", "LANGUAGES", "MAX_CHARS", "TranslateError", "TranslationUpdate", "detect", "translate",
           "translate_stream"]
