"""The tag scheme of the ``quotes`` tagger: BILUO tags over three roles.

The labels are stored in the shipped model (``quotes`` component ``labels``): they never change.
"""
from typing import List

ROLES = ("CONTENT", "CUE", "SOURCE")
TAGS: List[str] = ["O"] + [f"{p}-{r}" for r in ROLES for p in "BILU"]

__all__ = ["ROLES", "TAGS"]
