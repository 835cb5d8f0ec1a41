"""Ratings: QR links, the scan-and-rate page, problem reports and live station scores."""
