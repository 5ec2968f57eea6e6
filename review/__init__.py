"""Knowledge refresh: gap detection from resolved tickets, proposals, review and publishing."""
