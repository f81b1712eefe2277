from . import payment_token
