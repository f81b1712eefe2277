from . import portal_login
