"""Command-line tools for course authors: validate a course, build the city-wide packages."""
