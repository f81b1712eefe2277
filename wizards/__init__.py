from . import portal_login_change
