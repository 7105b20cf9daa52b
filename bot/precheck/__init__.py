"""Photo pre-check: tell users at once whether a document photo will pass, and how to fix it.

Pure functions, no chat channel: see ``bot.precheck.api``.
"""

from bot.precheck.api import check_image, check_image_async, compressed_copy, render_result_zh
from bot.precheck.result import Issue, PrecheckResult

__all__ = ["Issue", "PrecheckResult", "check_image", "check_image_async", "compressed_copy", "render_result_zh"]
