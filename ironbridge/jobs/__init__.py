"""Scale-out jobs: sync and scheduler jobs on procrastinate, run by ``ironbridge worker``."""
