"""The one error type a person sees: a request that cannot be served as asked.

Core code raises a `UserError` (or one of the subclasses below, which say where it came from)
with a message written for the person who made the request; the tabs turn it into a message on
the page with one wrapper (`demos.widgets.user_errors`). Any other exception is a bug.
"""


class UserError(ValueError):
    """A request that cannot be served as asked; the message is meant for the person."""


class ModelUnavailable(UserError):
    """No candidate for a task could be loaded; the message says what to install or set."""


class DocumentError(UserError):
    """A document that cannot be read."""


class GenerationError(UserError):
    """A prompt, chat history or setting that generation cannot use."""


class BadSettings(GenerationError):
    """A generation setting that cannot be used at all (not a number, wrong type)."""


class IndexingError(UserError):
    """An index operation that cannot be done."""


class SearchError(UserError):
    """A search or question that cannot be served."""


class QAError(SearchError):
    """A question that cannot be answered as asked."""


class SummarizeError(UserError):
    """Text that cannot be summarised as asked."""


class SentimentInputError(UserError):
    """A text that cannot be classified."""


class BatchInputError(UserError):
    """A file of texts that cannot be classified."""


class FineTuneError(UserError):
    """Examples or settings a fine-tuning job cannot use, or a job that cannot be started."""


class TranslateError(UserError):
    """A text that cannot be translated as asked."""


class InspectError(UserError):
    """A text or setting the attention or layer-by-layer views cannot use."""


class CompressionError(UserError):
    """A text, prompt or setting the compression comparison cannot use."""
