from . import portal_login
from . import payment
from . import portal
