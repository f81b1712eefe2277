from . import payment_token
from . import res_users
