"""Jobs: the persistent store now; scheduler and workers come next."""
