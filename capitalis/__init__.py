"""Capitalis: a competency-based professional certification programme, end to end."""

from capitalis.celery import app as celery_app

__all__ = ("celery_app",)
