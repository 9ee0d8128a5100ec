from . import requests
