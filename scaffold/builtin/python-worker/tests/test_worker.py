import unittest

import worker


class WorkerTest(unittest.TestCase):
    def test_amqp_url(self):
        c = worker.config({"AMQP_HOST": "mq", "AMQP_USER": "u", "AMQP_PASSWORD": "s3cret", "AMQP_VHOST": "app"})
        self.assertEqual(worker.amqp_url(c), "amqp://u:s3cret@mq:5672/app")
        self.assertNotIn("s3cret", worker.amqp_url(c, redacted=True))

    def test_handle(self):
        self.assertEqual(worker.handle(b'{"id": 7}'), {"id": 7, "status": "done"})


if __name__ == "__main__":
    unittest.main()
