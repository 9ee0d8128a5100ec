-- disable the monobank credentials of neutralized databases
UPDATE payment_provider
   SET monobank_token = NULL;
