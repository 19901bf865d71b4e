"""Publishing: the files a run writes, published all at once, and served."""
