# Placeholder; the db module replaces it.
file(WRITE ${OUT} "")
