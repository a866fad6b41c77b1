"""One self-contained subpackage per replicated paper (see each paper's README)."""
