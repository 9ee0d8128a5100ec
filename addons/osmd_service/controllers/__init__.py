from . import announcements, requests
