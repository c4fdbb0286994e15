"""A runnable example site for mm_oauth, with a sample third-party client (not installed by pip)."""
