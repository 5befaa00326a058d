"""The content tables (titles, seasons, episodes, renditions, genres, versions) and their
derived search fields.

They are written by the CMS and the video pipeline and read by the catalog, so they belong to
none of those services: each imports them from here.
"""
