"""Development only: first-start bootstrap (migrate, keys, demo data, URLs) and the demo register."""
