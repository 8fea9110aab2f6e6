"""``make bench``: timed scenarios on synthetic, full-size data (see ``__main__``)."""
