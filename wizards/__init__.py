from . import portal_login_change
from . import portal_wizard
