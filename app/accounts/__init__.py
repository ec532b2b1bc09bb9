"""Accounts as a whole: deleting one, with everything its person wrote.

The blueprints call these functions; they act on the models (and tell the search service what
left the index).
"""

from app.accounts.deletion import delete_account

__all__ = ["delete_account"]
