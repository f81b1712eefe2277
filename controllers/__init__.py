from . import portal_login
from . import payment
from . import portal
from . import home
from . import portal_security
